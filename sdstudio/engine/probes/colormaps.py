"""Colour maps as 256-entry lookup tables, so pictures need numpy only (no plotting library).

``heat`` runs black → purple → red → orange → pale yellow and reads as "more" at a glance;
``diverging`` runs blue → light grey → red for signed values with 0 in the middle.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_ANCHORS = {
    "heat": ((0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)),
    "diverging": ((59, 76, 192), (221, 221, 221), (180, 4, 38)),
}
COLORMAPS = tuple(_ANCHORS)


@lru_cache(maxsize=len(_ANCHORS))
def lookup_table(name: str) -> np.ndarray:
    """(256, 3) uint8 colours, interpolated linearly between the map's anchors."""
    anchors = np.asarray(_ANCHORS[name], dtype=np.float64)
    positions = np.linspace(0.0, 1.0, len(anchors))
    levels = np.linspace(0.0, 1.0, 256)
    channels = [np.interp(levels, positions, anchors[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=1)).astype(np.uint8)


def colorize(values: np.ndarray, name: str = "heat") -> np.ndarray:
    """Values in [0, 1] (clipped) to RGB uint8 with one more axis of length 3."""
    indices = np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)
    return lookup_table(name)[indices]
