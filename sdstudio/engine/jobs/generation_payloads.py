"""A generation job's payloads: the loop with the job's extensions, each finished image saved
with its record (or kept aside when the save fails)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, Notice
from sdstudio.engine.generation.memory_estimate import check_run_fits
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.extensions_for_job import JobExtensions, extensions_for
from sdstudio.engine.jobs.save_destination import check_save_destination
from sdstudio.engine.jobs.save_fallback import keep_unsaved
from sdstudio.engine.jobs.saving import record_of, save_finished
from sdstudio.engine.models.refiner_cache import REFINERS
from sdstudio.engine.models.refiner_fit import refiner_latent_notice

# As diffusers runs the two: networks are loaded into the main model's pipeline only (a
# LoRA or an embedding made for the base does not fit the refiner's own UNet and encoder).
REFINER_WITHOUT_NETWORKS = (
    "The refiner's steps run without the prompt's LoRAs and embeddings: they change the "
    "main model's steps only."
)

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.probes.views import ViewSettings


def generation_payloads(
    model: LoadedModel | None,
    job: Job,
    cancel: CancelToken,
    view_settings: Callable[[], ViewSettings] | None,
) -> Iterator[Any]:
    """The payloads of ``job``'s generation: the loop's events with each finished image
    saved (an :class:`ImageSaved` in its place). Raises ``UserFacingError`` for what the
    user can fix; :func:`~sdstudio.engine.jobs.runner.run_job` turns any failure into a
    :class:`JobFailed`."""
    if model is None or model.pipeline is None:
        raise UserFacingError("No model is loaded yet.")
    check_save_destination(job.saving, *job.request.final_size)  # before the work
    check_run_fits(model, job.request.largest_pass(), job.controlnets)  # and one that cannot fit
    chosen = extensions_for(model, job, view_settings)
    yield from chosen.notices
    refiner = None
    if job.request.refiner:
        refiner = REFINERS.refiner_for(job.request.refiner, model)
        other_latents = refiner_latent_notice(model, refiner)
        if other_latents is not None:
            yield Notice(other_latents)
        networks = chosen.networks
        if networks is not None and (networks.loras or networks.embeddings):
            yield Notice(REFINER_WITHOUT_NETWORKS)
    events = generate(model, job.request, cancel, chosen.extensions, refiner)
    with contextlib.closing(events):  # the extensions are exited even if we stop early
        for event in events:
            if isinstance(event, ImageFinished):
                yield from _saved(model, job, event, chosen)
            else:
                yield event


def _saved(
    model: LoadedModel, job: Job, finished: ImageFinished, chosen: JobExtensions
) -> Iterator[Any]:
    record = record_of(job, model, finished, chosen.networks)
    path = None
    try:
        if job.saving.enabled:
            path = save_finished(job, finished, record)
    except OSError as error:  # path stays None: not where the job said; the notice says where
        yield keep_unsaved(finished.image, record, error)
    previews = chosen.previews
    frames = previews.take_frames(finished.image_index) if previews is not None else ()
    yield ImageSaved(
        image=finished.image,
        seed=finished.seed,
        path=path,
        record=record,
        image_index=finished.image_index,
        batch_count=finished.batch_count,
        frames=frames,
    )
