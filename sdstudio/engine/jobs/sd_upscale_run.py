"""A1111's "SD upscale": upscale a picture, then refine it tile by tile with img2img.

The picture is upscaled by an upscaler (``Lanczos``, ``Nearest`` or a model,
:func:`sdstudio.engine.upscalers.upscale`) and cut into overlapping tiles of the request's
size (:mod:`.tile_grid`). Each tile runs as an img2img job's generation (the job
runner's own, LoRAs, embeddings and previews included), with the request's prompt and
settings, saving off, the tile as its init image and seed ``seed + k``
for the ``k``-th tile (row by row), as A1111's script gives each batch of one the next seed.
The refined tiles are joined with A1111's linear fades over the overlaps.

:func:`sd_upscale_payloads` is the run as events, for the job runner (a job with
``sd_upscale`` set: the window's queue); :func:`sd_upscale` is the same run as one call,
with callbacks, for the command line. The cancel token is checked before every tile of an
upscaler model's pass and of the refinement, and at every denoising step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PIL import Image

from sdstudio.engine import upscalers
from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.events import Cancelled, Notice, StepEvent
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.generation_payloads import generation_payloads
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.networks.selection import NetworkFolders
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.sd_upscale.checks import check_sd_upscale
from sdstudio.engine.sd_upscale.result import SdUpscaled
from sdstudio.engine.sd_upscale.tile_grid import DEFAULT_OVERLAP, TileGrid
from sdstudio.engine.upscalers import UpscaleCancelled, find_upscaler_file, upscale
from sdstudio.engine.upscalers.pixel_upscalers import PILLOW_UPSCALERS, pillow_resampling

if TYPE_CHECKING:
    from sdstudio.engine.models.loading import LoadedModel

TileCallback = Callable[[int, int], None]
NO_PREVIEWS = PreviewSettings(PreviewKind.NONE)  # a job's defaults
HOME_FOLDERS_ONLY = NetworkFolders()


@dataclass(frozen=True)
class TilesRefined:
    """``done`` of the ``total`` tiles are refined (0 before the first)."""

    done: int
    total: int


def sd_upscale_payloads(
    model: LoadedModel | None,
    image: Image.Image,
    *,
    upscaler: str,
    scale: float,
    request: GenerationRequest,
    overlap: int = DEFAULT_OVERLAP,
    cancel: CancelToken | None = None,
    previews: PreviewSettings = NO_PREVIEWS,
    networks: NetworkFolders = HOME_FOLDERS_ONLY,
    on_upscale_tile: TileCallback | None = None,
    upscaler_tile: int = upscalers.DEFAULT_TILE,
    upscaler_overlap: int = upscalers.DEFAULT_OVERLAP,
) -> Iterator[Any]:
    """``image`` upscaled ``scale`` times by ``upscaler``, then refined by img2img over tiles
    of ``request.width`` × ``request.height`` sharing ``overlap`` pixels, as events.

    ``request`` holds the prompt and the sampling settings (its strength is the refinement's
    denoising strength); its init image is replaced by each tile. Yields
    :class:`TilesRefined` before the first tile and after each; each tile's steps and
    ``previews`` (:class:`StepEvent`, :class:`PreviewImage`, tagged with the tile's index as
    their image and the tiles as the batch), its notices (the first tile's only: the others
    say the same); then the :class:`SdUpscaled` picture last, or a :class:`Cancelled` (and
    nothing after it) when ``cancel`` is set. ``on_upscale_tile``, ``upscaler_tile`` and
    ``upscaler_overlap`` are an upscaler model's own tiles (its progress, their size and
    overlap); ``networks`` are the LoRA and embedding folders for the prompt's tags. Raises a
    ``UserFacingError`` for a request that cannot work or a tile that failed.
    """
    if model is None or model.pipeline is None:
        raise UserFacingError("No model is loaded yet.")
    check_sd_upscale(request, overlap)
    cancel = cancel or CancelToken()
    name = upscaler_label(upscaler)  # an unknown upscaler is refused before any work
    try:
        upscaled = upscale(
            image.convert("RGB"),
            upscaler,
            scale,
            device=model.placement.device.type,
            cancel=cancel,
            tile=upscaler_tile,
            overlap=upscaler_overlap,
            on_tile=on_upscale_tile,
        )
    except UpscaleCancelled:
        yield Cancelled(0)
        return
    grid = TileGrid.over(upscaled.size, (request.width, request.height), overlap)
    tiles = grid.split(upscaled)
    total = len(tiles)
    refined: list[Image.Image] = []
    first: ImageSaved | None = None
    yield TilesRefined(0, total)
    for index, tile in enumerate(tiles):
        if cancel.cancelled:
            yield Cancelled(0)
            return
        seed = (request.seed + index) % (MAX_SEED + 1)
        job = Job(
            replace(request, init_image=tile, seed=seed),
            previews=previews,
            saving=SaveOptions(enabled=False),
            networks=networks,
        )
        finished: ImageSaved | None = None
        # closed at once however it ends, so that its extensions (LoRAs) are taken off
        with contextlib.closing(generation_payloads(model, job, cancel, None)) as payloads:
            for payload in payloads:
                if isinstance(payload, StepEvent | PreviewImage):
                    yield replace(payload, image_index=index, batch_count=total)
                elif isinstance(payload, Notice) and index == 0:
                    yield payload
                elif isinstance(payload, Cancelled):
                    yield payload
                    return
                elif isinstance(payload, ImageSaved):
                    finished = payload
        if finished is None:  # a tile ends with its image, a cancel or an exception
            raise UserFacingError("A tile of the SD upscale produced no picture")
        first = first or finished
        refined.append(finished.image)
        yield TilesRefined(index + 1, total)
    assert first is not None  # a grid has at least one tile
    yield SdUpscaled(grid.combine(refined, upscaled.size), first.record, name, overlap)


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
    networks: NetworkFolders = HOME_FOLDERS_ONLY,
) -> SdUpscaled:
    """:func:`sd_upscale_payloads` as one call: the :class:`SdUpscaled` picture.

    ``on_tile(done, total)`` is called before the first refined tile and after each. Raises
    :class:`UpscaleCancelled` when ``cancel`` is set, and a ``UserFacingError`` for a request
    that cannot work or a tile that failed.
    """
    payloads = sd_upscale_payloads(
        model,
        image,
        upscaler=upscaler,
        scale=scale,
        request=request,
        overlap=overlap,
        cancel=cancel,
        networks=networks,
        on_upscale_tile=on_upscale_tile,
        upscaler_tile=upscaler_tile,
        upscaler_overlap=upscaler_overlap,
    )
    with contextlib.closing(payloads):
        for payload in payloads:
            if isinstance(payload, TilesRefined) and on_tile is not None:
                on_tile(payload.done, payload.total)
            elif isinstance(payload, Cancelled):
                raise UpscaleCancelled
            elif isinstance(payload, SdUpscaled):
                return payload
    raise UserFacingError("The SD upscale produced no picture")  # not expected: see above


def upscaler_label(upscaler: str) -> str:
    """The upscaler as infotext names it: Pillow's by A1111's spelling, a model by its
    file's stem (the name its folder lists it under)."""
    resampling = pillow_resampling(upscaler)
    if resampling is not None:
        return next(name for name, each in PILLOW_UPSCALERS.items() if each == resampling)
    return find_upscaler_file(upscaler).stem
