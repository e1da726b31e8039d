"""What an SD upscale's settings cannot be, checked before any work (and on the window's
thread, before it is queued: nothing here loads torch)."""

from __future__ import annotations

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.sd_upscale.tile_grid import check_overlap


def check_sd_upscale(request: GenerationRequest, overlap: int) -> None:
    """What a tile-wise img2img cannot take, refused before the upscale runs."""
    check_overlap((request.width, request.height), overlap)
    if request.mask is not None:
        raise RequestError("SD upscale refines whole tiles: remove the inpainting mask")
    if request.hires_fix:
        raise RequestError("SD upscale is img2img: turn the hires fix off (no hires upscaler)")
    if request.image_count != 1:
        raise RequestError(
            "SD upscale makes one picture: set the batch count and the batch size to 1"
        )
