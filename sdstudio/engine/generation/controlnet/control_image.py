"""A unit's control image as its ControlNet reads it: diffusers' ``prepare_image``.

Resized to the run's size, in [0, 1] (not normalised to [-1, 1] as an init image is), one row
per image of the batch, and doubled for classifier-free guidance unless the ControlNet sees
the prompt's half only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.picture_file import load_picture

if TYPE_CHECKING:
    import torch
    from PIL import Image


def control_picture(image: Image.Image | Path | str) -> Image.Image:
    """The unit's picture, read (upright, bounded in size) when it is given as a file."""
    if isinstance(image, (str, Path)):
        return load_picture(Path(image), RequestError, "a control image")
    return image


def prepare_control_image(
    pipe: Any,
    image: Image.Image,
    width: int,
    height: int,
    rows: int,
    both_halves: bool,
    device: torch.device,
    dtype: torch.dtype,
) -> torch.Tensor:
    """``(rows, 3, height, width)`` in [0, 1], or twice that many rows (``[negative half,
    prompt half]``) with ``both_halves``, as diffusers' ControlNet pipelines prepare it."""
    import torch
    from diffusers.image_processor import VaeImageProcessor

    processor = VaeImageProcessor(
        vae_scale_factor=pipe.vae_scale_factor, do_convert_rgb=True, do_normalize=False
    )
    pixels = processor.preprocess(image, height=height, width=width).to(dtype=torch.float32)
    pixels = pixels.repeat_interleave(rows, dim=0).to(device=device, dtype=dtype)
    return torch.cat([pixels] * 2) if both_halves else pixels
