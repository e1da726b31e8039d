"""What the worker sends the window about the inside of a run (no widgets: QImages only)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QImage

from sdstudio.engine.probes.token_maps import TokenMaps
from sdstudio.engine.probes.views import ViewMode


@dataclass(frozen=True)
class ActivationFrame:
    """One watched module's picture at one step (``final``: drawn as the image was decoded)."""

    module_path: str
    step: int
    total: int
    image: QImage
    shape: tuple[int, ...]
    mode: ViewMode
    half: str  # "prompt", "negative" or "both": what the picture really shows
    image_index: int = 0
    fresh: bool = True
    final: bool = False


@dataclass(frozen=True)
class RecordedActivations:
    """Every recorded frame of one finished image, per module path, oldest first."""

    image_index: int
    frames: dict[str, tuple[ActivationFrame, ...]]


@dataclass(frozen=True)
class AttentionResult:
    """One finished image's per-token cross-attention maps."""

    image_index: int
    maps: TokenMaps
