"""The job "Upscale…" queues when it refines: A1111's "SD upscale" of the picture with the
controls' prompt and sampling settings, as the img2img script runs with the img2img tab's."""

from __future__ import annotations

from dataclasses import replace

from sdstudio.engine.jobs.job import Job
from sdstudio.engine.sd_upscale.checks import check_sd_upscale
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage
from sdstudio.ui.upscale.upscale_job import UpscaleChoice, UpscaleSource, source_picture


def sd_upscale_job(source: UpscaleSource, choice: UpscaleChoice, settings: Job) -> Job:
    """``settings`` (the job Generate would queue now: prompt, sampling, seed, previews,
    saving, LoRA folders) turned into the SD upscale of ``source`` that ``choice`` asks for:
    the picture as its init image, the tile as its size, the refinement's strength, one
    picture, no hires fix, mask, ControlNet or probes (they have no meaning per tile).
    Raises ``UserFacingError`` (a ``RequestError`` for settings that cannot run) before
    anything is queued."""
    refine = choice.refine
    assert refine is not None  # only a refinement is queued as a job
    request = replace(
        settings.request,
        init_image=source_picture(source),
        mask=None,
        width=refine.tile,
        height=refine.tile,
        strength=refine.strength,
        batch_count=1,
        batch_size=1,
        hires_upscaler="",
    )
    check_sd_upscale(request, refine.overlap)
    return Job(
        request,
        previews=settings.previews,
        saving=settings.saving,
        networks=settings.networks,
        sd_upscale=SdUpscaleStage(choice.upscaler, choice.scale, refine.overlap),
    )
