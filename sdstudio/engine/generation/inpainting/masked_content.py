"""What the masked part starts from, for ordinary models (A1111's "Masked content").

- ``original``: the init image as it is (diffusers' behaviour);
- ``fill``: the masked part painted with the colours around it before encoding, so the model
  is not anchored to what was there;
- ``noise`` / ``nothing``: the masked part of the init latents replaced by random latents or
  zeros before noise is added at the strength's timestep.
"""

from __future__ import annotations

import numpy as np
import torch
from diffusers.utils.torch_utils import randn_tensor
from PIL import Image, ImageFilter

# Wide blurs first give the far colours, narrow ones on top the near ones.
FILL_RADII = (256, 64, 16, 4, 2)


def filled(image: Image.Image, mask: Image.Image) -> Image.Image:
    """``image`` with every pixel the mask repaints (≥ half white) replaced by a blend of the
    kept pixels around it; kept pixels are unchanged.

    The kept pixels, premultiplied by a kept/repainted alpha, are blurred at falling radii:
    blurring premultiplied colour averages only kept pixels, and each narrower blur, laid
    over the wider ones, brings the nearer colours back.
    """
    rgb = image.convert("RGB")
    kept = mask.convert("L").resize(rgb.size).point(lambda value: 255 if value < 128 else 0)
    if kept.getextrema()[1] == 0:
        return rgb
    premultiplied = Image.new("RGBa", rgb.size)
    premultiplied.paste(rgb.convert("RGBA").convert("RGBa"), mask=kept)
    result = Image.new("RGBA", rgb.size, _mean_colour(rgb, kept))
    for radius in FILL_RADII:
        layer = premultiplied.filter(ImageFilter.GaussianBlur(radius)).convert("RGBA")
        result.alpha_composite(layer)
    result.paste(rgb, mask=kept)
    return result.convert("RGB")


def _mean_colour(rgb: Image.Image, kept: Image.Image) -> tuple[int, int, int, int]:
    pixels = np.asarray(rgb, dtype=np.float64)[np.asarray(kept) > 0]
    red, green, blue = (int(round(value)) for value in pixels.mean(axis=0))
    return red, green, blue, 255


def replaced_latents(
    latents: torch.Tensor,
    latent_mask: torch.Tensor,
    content: str,
    generator: torch.Generator | list[torch.Generator],
) -> torch.Tensor:
    """``latents`` with the masked part (``latent_mask`` 1) replaced: random for ``noise``
    (each row from its own generator when given a list), zeros for ``nothing``; unchanged
    otherwise."""
    if content == "noise":
        replacement = randn_tensor(
            latents.shape, generator=generator, device=latents.device, dtype=latents.dtype
        )
    elif content == "nothing":
        replacement = torch.zeros_like(latents)
    else:
        return latents
    return latents * (1 - latent_mask) + replacement * latent_mask
