"""A1111's "SD upscale": upscale a picture, then refine it tile by tile with img2img.

The picture is upscaled by an upscaler (``Lanczos``, ``Nearest`` or a model,
:func:`sdstudio.engine.upscalers.upscale`) and cut into overlapping tiles of the request's
size (:mod:`.tile_grid`). Each tile runs as an img2img job of our own runner, with the
request's prompt and settings, saving off, the tile as its init image and seed ``seed + k``
for the ``k``-th tile (row by row), as A1111's script gives each batch of one the next seed.
The refined tiles are joined with A1111's linear fades over the overlaps.

The cancel token is checked before every tile of an upscaler model's pass and of the
refinement, and at every denoising step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PIL import Image

from sdstudio.engine import upscalers
from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import RequestError, UserFacingError
from sdstudio.engine.generation.events import Cancelled
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.sd_upscale.result import SdUpscaled
from sdstudio.engine.sd_upscale.tile_grid import DEFAULT_OVERLAP, TileGrid, check_overlap
from sdstudio.engine.upscalers import UpscaleCancelled, find_upscaler_file, upscale
from sdstudio.engine.upscalers.pixel_upscalers import PILLOW_UPSCALERS, pillow_resampling

if TYPE_CHECKING:
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.networks.selection import NetworkFolders

TileCallback = Callable[[int, int], None]


def sd_upscale(
    model: LoadedModel | None,
    image: Image.Image,
    *,
    upscaler: str,
    scale: float,
    request: GenerationRequest,
    overlap: int = DEFAULT_OVERLAP,
    cancel: CancelToken | None = None,
    on_tile: TileCallback | None = None,
    on_upscale_tile: TileCallback | None = None,
    upscaler_tile: int = upscalers.DEFAULT_TILE,
    upscaler_overlap: int = upscalers.DEFAULT_OVERLAP,
    networks: NetworkFolders | None = None,
) -> SdUpscaled:
    """``image`` upscaled ``scale`` times by ``upscaler``, then refined by img2img over tiles
    of ``request.width`` × ``request.height`` sharing ``overlap`` pixels.

    ``request`` holds the prompt and the sampling settings (its strength is the refinement's
    denoising strength); its init image is replaced by each tile. ``on_tile(done, total)``
    is called before the first refined tile and after each; ``on_upscale_tile``,
    ``upscaler_tile`` and ``upscaler_overlap`` are an upscaler model's own tiles (its
    progress, their size and overlap). ``networks`` are the LoRA and embedding folders for
    the prompt's tags. Raises :class:`UpscaleCancelled` when ``cancel`` is set, and a
    ``UserFacingError`` for a request that cannot work or a tile that failed.
    """
    if model is None or model.pipeline is None:
        raise UserFacingError("No model is loaded yet.")
    _check(request)
    check_overlap((request.width, request.height), overlap)
    cancel = cancel or CancelToken()
    name = upscaler_label(upscaler)  # an unknown upscaler is refused before any work
    device = model.placement.device.type
    upscaled = upscale(
        image.convert("RGB"),
        upscaler,
        scale,
        device=device,
        cancel=cancel,
        tile=upscaler_tile,
        overlap=upscaler_overlap,
        on_tile=on_upscale_tile,
    )
    grid = TileGrid.over(upscaled.size, (request.width, request.height), overlap)
    tiles = grid.split(upscaled)
    refined: list[Image.Image] = []
    first: ImageSaved | None = None
    if on_tile is not None:
        on_tile(0, len(tiles))
    for index, tile in enumerate(tiles):
        if cancel.cancelled:
            raise UpscaleCancelled
        seed = (request.seed + index) % (MAX_SEED + 1)
        finished = _img2img(model, replace(request, init_image=tile, seed=seed), cancel, networks)
        first = first or finished
        refined.append(finished.image)
        if on_tile is not None:
            on_tile(index + 1, len(tiles))
    assert first is not None  # a grid has at least one tile
    picture = grid.combine(refined, upscaled.size)
    return SdUpscaled(picture, first.record, name, overlap)


def upscaler_label(upscaler: str) -> str:
    """The upscaler as infotext names it: Pillow's by A1111's spelling, a model by its
    file's stem (the name its folder lists it under)."""
    resampling = pillow_resampling(upscaler)
    if resampling is not None:
        return next(name for name, each in PILLOW_UPSCALERS.items() if each == resampling)
    return find_upscaler_file(upscaler).stem


def _check(request: GenerationRequest) -> None:
    """What a tile-wise img2img cannot take, refused before the upscale runs."""
    if request.mask is not None:
        raise RequestError("SD upscale refines whole tiles: remove the inpainting mask")
    if request.hires_fix:
        raise RequestError("SD upscale is img2img: turn the hires fix off (no hires upscaler)")
    if request.image_count != 1:
        raise RequestError(
            "SD upscale makes one picture: set the batch count and the batch size to 1"
        )


def _img2img(
    model: LoadedModel,
    request: GenerationRequest,
    cancel: CancelToken,
    networks: NetworkFolders | None,
) -> ImageSaved:
    """One tile through the job runner, saving off: its finished image and record."""
    job = Job(request, saving=SaveOptions(enabled=False))
    if networks is not None:
        job = replace(job, networks=networks)
    finished: ImageSaved | None = None
    for event in run_job(model, job, cancel):
        payload = event.payload
        if isinstance(payload, Cancelled):
            raise UpscaleCancelled
        if isinstance(payload, JobFailed):
            raise UserFacingError(payload.message)
        if isinstance(payload, ImageSaved):
            finished = payload
    if finished is None:  # the runner always ends a tile with its image, a failure or a cancel
        raise UserFacingError("A tile of the SD upscale produced no picture")
    return finished
