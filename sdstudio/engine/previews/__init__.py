"""Live previews: step latents -> pictures (latent map, TAESD, full VAE), throttled and recorded.

Qt-free: the desktop worker and the CLI both drive these from their own loops. Names load on
first use, so reading the settings (e.g. for command-line choices) does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sdstudio.engine.previews.decoder import PreviewDecoder
    from sdstudio.engine.previews.factory import create_preview_decoder
    from sdstudio.engine.previews.recorder import PreviewRecorder
    from sdstudio.engine.previews.settings import PreviewError, PreviewKind, PreviewSettings
    from sdstudio.engine.previews.throttle import PreviewThrottle

_HOMES = {
    "PreviewDecoder": "decoder",
    "create_preview_decoder": "factory",
    "PreviewRecorder": "recorder",
    "PreviewError": "settings",
    "PreviewKind": "settings",
    "PreviewSettings": "settings",
    "PreviewThrottle": "throttle",
}

__all__ = [
    "PreviewDecoder",
    "PreviewError",
    "PreviewKind",
    "PreviewRecorder",
    "PreviewSettings",
    "PreviewThrottle",
    "create_preview_decoder",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOMES[name]}")
    return getattr(module, name)
