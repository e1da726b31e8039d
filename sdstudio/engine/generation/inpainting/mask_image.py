"""A mask as the engine uses it: 8-bit gray at the init image's size, optionally blurred."""

from __future__ import annotations

import numpy as np
from PIL import Image

from sdstudio.engine.errors import MaskError


def as_gray_mask(image: Image.Image) -> Image.Image:
    """Any image as an ``L`` mask. Transparent pixels keep (an RGBA mask is read over black);
    16-bit and float images are scaled from their own range."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, rgba).convert("L")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = values.max() if values.size else 0.0
        scaled = values / top * 255.0 if top > 0 else values
        return Image.fromarray(np.clip(scaled, 0, 255).round().astype(np.uint8), "L")
    return image.convert("L")


def check_not_empty(mask: Image.Image, name: str = "The mask") -> None:
    """A mask with nothing white repaints nothing: say so rather than run for nothing."""
    if mask.getextrema()[1] == 0:
        raise MaskError(
            f"{name} is all black: nothing would be repainted. Paint white where the picture "
            "should change."
        )


def fitted(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``mask`` as gray at ``size`` (a mask of another size is stretched to fit)."""
    gray = as_gray_mask(mask)
    if gray.size != size:
        gray = gray.resize(size, Image.Resampling.BILINEAR)
    return gray


def blurred(mask: Image.Image, radius: int) -> Image.Image:
    """A1111's mask blur, as diffusers' mask processor blurs (a Gaussian of ``radius`` px)."""
    if radius <= 0:
        return mask
    from diffusers.image_processor import VaeImageProcessor  # torch: not for the window's start

    return VaeImageProcessor.blur(mask, radius)
