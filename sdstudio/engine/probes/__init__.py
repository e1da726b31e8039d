"""Looking inside a running generation: live activations of any module, attention per token.

Qt-free. A front end wraps its generation loop in a :class:`ModuleWatcher` and/or an
:class:`AttentionCapture`, calls ``collect``/``take`` on its worker thread after the
engine's events, and shows the PIL images that come out.
"""

from sdstudio.engine.probes.attention_capture import AttentionCapture, cross_attention_layers
from sdstudio.engine.probes.attention_processor import AttentionMapProcessor
from sdstudio.engine.probes.cfg_halves import CfgHalf
from sdstudio.engine.probes.heat_overlay import DEFAULT_OPACITY, heat_layer, overlay_on
from sdstudio.engine.probes.module_paths import ResolvedModule, resolve_module
from sdstudio.engine.probes.module_watcher import ModuleWatcher
from sdstudio.engine.probes.prompt_tokens import (
    PromptToken,
    TokenSelection,
    find_token,
    prompt_tokens,
)
from sdstudio.engine.probes.prompt_words import PromptWord, prompt_words
from sdstudio.engine.probes.token_maps import TokenMaps
from sdstudio.engine.probes.views import ActivationView, ViewMode, ViewSettings

__all__ = [
    "DEFAULT_OPACITY",
    "ActivationView",
    "AttentionCapture",
    "AttentionMapProcessor",
    "CfgHalf",
    "ModuleWatcher",
    "PromptToken",
    "PromptWord",
    "ResolvedModule",
    "TokenMaps",
    "TokenSelection",
    "ViewMode",
    "ViewSettings",
    "cross_attention_layers",
    "find_token",
    "heat_layer",
    "overlay_on",
    "prompt_tokens",
    "prompt_words",
    "resolve_module",
]
