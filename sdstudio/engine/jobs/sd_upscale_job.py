"""An SD upscale run as a job (``Job.sd_upscale``): the job's init image is the picture, its
request the tiles' settings, and the joined picture is saved where the job saves, with the
SD upscale infotext; the job runner hands its events on as any job's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.save_destination import check_save_destination
from sdstudio.engine.jobs.save_fallback import keep_unsaved
from sdstudio.engine.jobs.saving import save_job_file
from sdstudio.engine.jobs.sd_upscale_run import sd_upscale_payloads
from sdstudio.engine.metadata.autosave import png_file
from sdstudio.engine.sd_upscale.result import SdUpscaled
from sdstudio.engine.upscalers import target_size

if TYPE_CHECKING:
    from sdstudio.engine.cancel import CancelToken
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel


def sd_upscale_job_payloads(
    model: LoadedModel | None, job: Job, cancel: CancelToken
) -> Iterator[Any]:
    """The payloads of ``job``'s SD upscale, the saved picture last as an
    :class:`ImageSaved` (its record the first tile's); what cannot run is refused before the
    upscale (``UserFacingError``: :func:`sd_upscale_payloads` checks the settings), and so is a
    destination that cannot take the picture."""
    stage = job.sd_upscale
    request = job.request
    assert stage is not None  # the runner sends only SD upscale jobs here
    if request.init_image is None:
        raise RequestError("SD upscale needs a picture to upscale (the job's init image)")
    if job.controlnets:
        raise RequestError("SD upscale runs without ControlNet units: turn them off")
    if job.probes.watch or job.probes.attention:
        raise RequestError("SD upscale runs without watched modules and attention maps")
    check_save_destination(job.saving, *target_size(request.init_image.size, stage.scale))
    payloads = sd_upscale_payloads(
        model,
        request.init_image,
        upscaler=stage.upscaler,
        scale=stage.scale,
        request=request,
        overlap=stage.overlap,
        cancel=cancel,
        previews=job.previews,
        networks=job.networks,
    )
    for payload in payloads:
        if isinstance(payload, SdUpscaled):
            yield from _saved(job, payload)
        else:
            yield payload


def _saved(job: Job, result: SdUpscaled) -> Iterator[Any]:
    path = None
    try:
        if job.saving.enabled:
            data = png_file(result.image, result.png_info())
            path = save_job_file(job, data, job.request.seed)
    except OSError as error:  # kept in the fallback folder (the first tile's parameters)
        yield keep_unsaved(result.image, result.record, error)
    yield ImageSaved(
        image=result.image,
        seed=job.request.seed,
        path=path,
        record=result.record,
        infotext=result.infotext(),
    )
