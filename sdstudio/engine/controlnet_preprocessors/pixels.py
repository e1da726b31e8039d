"""Any picture as the 8-bit RGB array the preprocessors work on, and back.

Transparency is laid over white, as A1111's ``HWC3`` does, so a drawing made on a transparent
layer reads as black lines on white. 16-bit and float pictures (a depth map saved by another
tool) are scaled from their own range rather than clipped to white.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def rgb_array(image: Image.Image) -> np.ndarray:
    """``image`` as a writable ``H×W×3`` ``uint8`` array."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    elif image.mode in _WIDE_MODES:
        values = np.asarray(image, dtype=np.float64)
        top = values.max() if values.size else 0.0
        scaled = values / top * 255.0 if top > 0 else values
        image = Image.fromarray(np.clip(scaled, 0, 255).round().astype(np.uint8), "L")
    return np.array(image.convert("RGB"), dtype=np.uint8)


def rgb_image(pixels: np.ndarray) -> Image.Image:
    """An ``H×W`` or ``H×W×3`` array as an RGB picture (gray repeated in the three channels)."""
    pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    return Image.fromarray(np.ascontiguousarray(pixels), "RGB")
