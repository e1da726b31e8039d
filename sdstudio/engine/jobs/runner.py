"""Running a job: the loop with the job's extensions, each image saved, every event tagged.

Failures become a :class:`JobFailed` with a message for the user (an out-of-memory one
after the memory is given back), so front ends never show a traceback; the CLI turns it
into its exit status, the window into its status bar.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.memory_estimate import check_run_fits
from sdstudio.engine.jobs.events import ImageSaved, JobDone, JobEvent, JobFailed, JobStarted
from sdstudio.engine.jobs.extensions_for_job import JobExtensions, extensions_for
from sdstudio.engine.jobs.save_destination import check_save_destination
from sdstudio.engine.jobs.save_fallback import keep_unsaved
from sdstudio.engine.jobs.saving import record_of, save_finished
from sdstudio.engine.memory import is_out_of_memory, out_of_memory_message, release_memory
from sdstudio.engine.models.refiner_cache import REFINERS

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.probes.views import ViewSettings

logger = logging.getLogger(__name__)


def run_job(
    model: LoadedModel | None,
    job: Job,
    cancel: CancelToken | None = None,
    view_settings: Callable[[], ViewSettings] | None = None,
) -> Iterator[JobEvent[Any]]:
    """Yield the job's events, from :class:`JobStarted` to :class:`JobDone`.

    ``view_settings`` lets a front end change how watched modules are drawn mid-run. No
    model (or one already unloaded) fails the job with a message.
    """
    yield JobEvent(job.id, JobStarted(job.request.image_count))
    failure: str | None = None
    out_of_memory = False
    try:
        for payload in _payloads(model, job, cancel or CancelToken(), view_settings):
            yield JobEvent(job.id, payload)
    except UserFacingError as error:
        failure = str(error)
    except Exception as error:
        out_of_memory = is_out_of_memory(error)
        if not out_of_memory:
            logger.exception("Job %s failed", job.id)
            failure = f"Generation failed: {type(error).__name__}: {error}"
    if out_of_memory:
        # Outside the except block, so the failed run's tensors can be freed.
        release_memory()
        failure = out_of_memory_message("generation")
    if failure is not None:
        yield JobEvent(job.id, JobFailed(failure))
    yield JobEvent(job.id, JobDone())


def _payloads(
    model: LoadedModel | None,
    job: Job,
    cancel: CancelToken,
    view_settings: Callable[[], ViewSettings] | None,
) -> Iterator[Any]:
    if model is None or model.pipeline is None:
        raise UserFacingError("No model is loaded yet.")
    if job.sd_upscale is not None:  # its tiles run through here: imported when it runs
        from sdstudio.engine.sd_upscale.as_job import sd_upscale_job_payloads

        yield from sd_upscale_job_payloads(model, job, cancel)
        return
    check_save_destination(job.saving, *job.request.final_size)  # before the work
    check_run_fits(model, job.request.largest_pass(), job.controlnets)  # and one that cannot fit
    chosen = extensions_for(model, job, view_settings)
    yield from chosen.notices
    refiner = None
    if job.request.refiner:
        refiner = REFINERS.refiner_for(job.request.refiner, model)
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
