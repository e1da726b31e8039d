"""The hires fix's upscalers by A1111's names: latent ones, Pillow's, and upscaler models.

A latent upscaler interpolates the latents themselves (A1111's ``latent_upscale_modes``:
``torch.nn.functional.interpolate`` with its mode and antialias flag; all six cost about the
same: antialiasing widens the kernel only when shrinking, and when enlarging leaves bilinear
as it is and makes bicubic torch's antialiased cubic, a = -0.5 as Pillow's, instead of
-0.75). Any other name upscales
the decoded picture: "Lanczos", "Nearest" and "None" (A1111's plain resize, Lanczos) with
Pillow, anything else with an upscaler model (:mod:`sdstudio.engine.upscalers`), whose
result is brought to the exact size with Lanczos as A1111's ``resize_image`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from PIL import Image

from sdstudio.engine.generation.hires.upscaler_names import LATENT_UPSCALERS, PILLOW_UPSCALERS

if TYPE_CHECKING:
    from sdstudio.engine.cancel import CancelToken


def is_latent_upscaler(name: str) -> bool:
    return name in LATENT_UPSCALERS


def upscale_latents(latents: torch.Tensor, name: str, width: int, height: int) -> torch.Tensor:
    """``latents`` interpolated to the latents of a ``width`` × ``height`` picture."""
    mode, antialias = LATENT_UPSCALERS[name]
    size = (height // 8, width // 8)
    return torch.nn.functional.interpolate(latents, size=size, mode=mode, antialias=antialias)


def upscale_picture(
    picture: Image.Image,
    name: str,
    width: int,
    height: int,
    cancel: CancelToken | None = None,
) -> Image.Image:
    """``picture`` at ``width`` × ``height`` through the upscaler ``name`` (a model only
    enlarges: at a scale of 1 or less the picture is resized with Lanczos, as in A1111)."""
    if name in PILLOW_UPSCALERS:
        return picture.resize((width, height), PILLOW_UPSCALERS[name])
    upscaled = picture
    scale = max(width / picture.width, height / picture.height)
    if scale > 1:
        from sdstudio.engine.upscalers import upscale  # loads models: only when one is named

        upscaled = upscale(picture, name, scale, cancel=cancel)
    if upscaled.size != (width, height):
        upscaled = upscaled.resize((width, height), Image.Resampling.LANCZOS)
    return upscaled
