"""Live previews: step latents -> pictures (latent map, TAESD, full VAE), throttled and recorded.

Qt-free: the desktop worker and the CLI both drive these from their own loops.
"""

from sdstudio.engine.previews.decoder import PreviewDecoder
from sdstudio.engine.previews.factory import create_preview_decoder
from sdstudio.engine.previews.recorder import PreviewRecorder
from sdstudio.engine.previews.settings import PreviewError, PreviewKind, PreviewSettings
from sdstudio.engine.previews.throttle import PreviewThrottle

__all__ = [
    "PreviewDecoder",
    "PreviewError",
    "PreviewKind",
    "PreviewRecorder",
    "PreviewSettings",
    "PreviewThrottle",
    "create_preview_decoder",
]
