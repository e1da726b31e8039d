"""Upscaling a picture by a factor or to a size, with a model or with Pillow, as A1111 does.

An upscaler is named ``Lanczos``, ``Nearest`` or by a model (a name in the upscalers folder,
or a file's path). A model has a scale of its own (4x, 2x, 1x); another target is reached as
A1111's ``Upscaler.upscale`` reaches it: the model runs again while the picture is still
smaller than the target (at most three passes, stopping when a pass changes nothing), then
Lanczos resizes to the exact size. A further pass whose result would exceed
:data:`MAX_UPSCALED_SIDE` is not run: Lanczos does the rest (a first one is refused).

The target of a factor is ``round(side × scale)`` on each side, at least 1 pixel.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import RequestError
from sdstudio.engine.upscalers.model_files import find_upscaler_file
from sdstudio.engine.upscalers.model_pass import upscale_once
from sdstudio.engine.upscalers.pixel_upscalers import pillow_resampling
from sdstudio.engine.upscalers.upscaler_model import load_upscaler_model

# A1111's defaults for ESRGAN-like models are 192 with 8; a wider overlap gives the feathered
# blend more room, for 17% more work per tile.
DEFAULT_TILE = 192
DEFAULT_OVERLAP = 16
MIN_TILE = 16
MAX_PASSES = 3  # A1111's limit
MAX_UPSCALED_SIDE = 16384  # 0.8 GB as RGB bytes: the result itself must fit in memory


def upscale(
    image: Image.Image,
    upscaler: str,
    scale: float,
    *,
    device: str = "auto",
    cancel: CancelToken | None = None,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    on_tile: Callable[[int, int], None] | None = None,
) -> Image.Image:
    """``image`` upscaled ``scale`` times by ``upscaler``. Raises ``UpscaleCancelled`` when
    ``cancel`` is set between two tiles, and a ``UserFacingError`` for a bad request."""
    if not (math.isfinite(scale) and scale > 0):
        raise RequestError(f"The upscale factor must be a number above 0, not {scale}")
    return upscale_to_size(
        image,
        upscaler,
        target_size(image.size, scale),
        device=device,
        cancel=cancel,
        tile=tile,
        overlap=overlap,
        on_tile=on_tile,
    )


def native_scale(upscaler: str) -> int | None:
    """The factor a model upscales by in one pass; ``None`` for Lanczos and Nearest."""
    if pillow_resampling(upscaler) is not None:
        return None
    return load_upscaler_model(find_upscaler_file(upscaler)).scale


def target_size(size: tuple[int, int], scale: float) -> tuple[int, int]:
    """The size ``scale`` times ``size``, rounded, at least 1 pixel on a side."""
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def upscale_to_size(
    image: Image.Image,
    upscaler: str,
    size: tuple[int, int],
    *,
    device: str = "auto",
    cancel: CancelToken | None = None,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    on_tile: Callable[[int, int], None] | None = None,
) -> Image.Image:
    """``image`` resized to exactly ``size`` (width, height) through ``upscaler``."""
    _check_size(size)
    _check_tiles(tile, overlap)
    resampling = pillow_resampling(upscaler)
    if resampling is not None:
        return image.resize(size, resampling)
    model = load_upscaler_model(find_upscaler_file(upscaler))
    result = image
    for passes in range(MAX_PASSES):
        if result.width >= size[0] and result.height >= size[1]:
            break
        if max(result.size) * model.scale > MAX_UPSCALED_SIDE:
            if passes == 0:
                raise RequestError(_too_large_for(model.name, model.scale, result.size))
            break
        before = result.size
        result = upscale_once(
            model,
            result,
            device=device,
            tile=tile,
            overlap=overlap,
            cancel=cancel,
            on_tile=on_tile,
        )
        if result.size == before:
            break
    if result.size != size:
        return result.resize(size, Image.Resampling.LANCZOS)
    return result.copy() if result is image else result


def _check_size(size: tuple[int, int]) -> None:
    if max(size) > MAX_UPSCALED_SIDE:
        raise RequestError(
            f"An upscaled picture of {size[0]}x{size[1]} is too large: sdstudio makes at most "
            f"{MAX_UPSCALED_SIDE} pixels on a side; choose a smaller factor"
        )


def _too_large_for(name: str, scale: int, size: tuple[int, int]) -> str:
    return (
        f"{name} upscales {scale}x: {size[0] * scale}x{size[1] * scale} from this picture, more "
        f"than {MAX_UPSCALED_SIDE} pixels on a side; scale the picture down first"
    )


def _check_tiles(tile: int, overlap: int) -> None:
    if tile != 0 and tile < MIN_TILE:
        raise RequestError(f"The tile size must be 0 (no tiles) or at least {MIN_TILE} pixels")
    if overlap < 0 or (tile and 2 * overlap >= tile):
        raise RequestError(
            f"The tile overlap must be 0 or more and less than half the tile ({tile} pixels)"
        )
