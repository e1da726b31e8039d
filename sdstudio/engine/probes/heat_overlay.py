"""A token's heat map drawn over the result image, with adjustable opacity (no Qt needed).

The colour follows the heat colour map and the alpha is ``opacity × heat``: where the token
was attended to the colour shows, elsewhere the image stays visible. Opacity 0 shows the
image alone; opacity 1 covers the hottest pixels completely.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.probes.colormaps import colorize

DEFAULT_OPACITY = 0.6


def heat_layer(
    heat: np.ndarray, size: tuple[int, int], opacity: float = DEFAULT_OPACITY
) -> Image.Image:
    """An RGBA layer of ``size`` (width, height) to draw on top of the image."""
    _check_opacity(opacity)
    field = Image.fromarray(np.asarray(heat, dtype=np.float32), "F")
    scaled = np.clip(np.asarray(field.resize(size, Image.Resampling.BILINEAR)), 0.0, 1.0)
    alpha = np.rint(scaled * (255 * opacity)).astype(np.uint8)
    return Image.fromarray(np.dstack([colorize(scaled), alpha]), "RGBA")


def overlay_on(
    image: Image.Image, heat: np.ndarray, opacity: float = DEFAULT_OPACITY
) -> Image.Image:
    """The image with the heat layer composited over it (RGBA, fully opaque)."""
    base = image.convert("RGBA")
    return Image.alpha_composite(base, heat_layer(heat, base.size, opacity))


def _check_opacity(opacity: float) -> None:
    if not 0.0 <= opacity <= 1.0:
        raise UserFacingError(f"Opacity must be between 0 and 1, got {opacity}")
