"""What the probes emit during a run, beside the loop's own events."""

from __future__ import annotations

from dataclasses import dataclass

from sdstudio.engine.probes.token_maps import TokenMaps
from sdstudio.engine.probes.views import ActivationView


@dataclass(frozen=True)
class ActivationViews:
    """The watched modules' pictures after one step (or, ``final``, after decoding)."""

    image_index: int
    views: tuple[ActivationView, ...]


@dataclass(frozen=True)
class AttentionMaps:
    """One finished image's per-token cross-attention maps."""

    image_index: int
    maps: TokenMaps
