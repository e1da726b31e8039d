"""One pass of an upscaler model over a picture: the picture becomes the model's input on the
chosen device, is upscaled tile by tile, and comes back as a picture ``scale`` times larger.

RGB models see the picture in RGB (as A1111 runs them), greyscale ones in ``L``. Transparency
is not something these networks know: an alpha channel is resized with Lanczos and put back.
The model runs in float16 on CUDA when spandrel says its architecture supports it, in float32
otherwise. Architectures that tile internally (spandrel's ``ModelTiling.INTERNAL``) get the
whole picture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.devices import resolve_device
from sdstudio.engine.upscalers.tiling import upscale_tiled
from sdstudio.engine.upscalers.upscaler_model import UpscalerModel

if TYPE_CHECKING:
    import torch


def upscale_once(
    model: UpscalerModel,
    image: Image.Image,
    *,
    device: str = "auto",
    tile: int,
    overlap: int,
    cancel: CancelToken | None = None,
    on_tile: Callable[[int, int], None] | None = None,
) -> Image.Image:
    """``image`` upscaled by ``model``'s own scale."""
    import torch

    placement = resolve_device(device)
    dtype = placement.dtype if model.descriptor.supports_half else torch.float32
    descriptor = model.descriptor.to(placement.device, dtype)
    if _tiles_internally(descriptor):
        tile = 0

    def network(pixels: torch.Tensor) -> torch.Tensor:
        return descriptor(pixels.to(placement.device, dtype)).float().cpu()

    alpha = _alpha(image)
    mode = "RGB" if model.channels == 3 else "L"
    array = np.asarray(image.convert(mode), dtype=np.float32) / 255
    pixels = torch.from_numpy(array.reshape(*array.shape[:2], -1)).permute(2, 0, 1)
    upscaled = upscale_tiled(network, pixels, model.scale, tile, overlap, cancel, on_tile)
    result = Image.fromarray(upscaled.numpy().squeeze(2) if mode == "L" else upscaled.numpy())
    if alpha is not None:
        result = result.convert("RGBA") if mode == "RGB" else result.convert("LA")
        result.putalpha(alpha.resize(result.size, Image.Resampling.LANCZOS))
    return result


def _alpha(image: Image.Image) -> Image.Image | None:
    if "A" in image.getbands():
        return image.getchannel("A")
    if "transparency" in image.info:
        return image.convert("RGBA").getchannel("A")
    return None


def _tiles_internally(descriptor: object) -> bool:
    tiling = getattr(descriptor, "tiling", None)
    return getattr(tiling, "name", "") == "INTERNAL"
