"""Running a job: its generation (:mod:`.generation_payloads`: the loop with the job's
extensions, each image saved) or its SD upscale (:mod:`.sd_upscale_job`), every event tagged.

Failures become a :class:`JobFailed` with a message for the user (an out-of-memory one
after the memory is given back), so front ends never show a traceback; the CLI turns it
into its exit status, the window into its status bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.jobs.events import JobDone, JobEvent, JobFailed, JobStarted
from sdstudio.engine.jobs.generation_payloads import generation_payloads
from sdstudio.engine.jobs.sd_upscale_job import sd_upscale_job_payloads
from sdstudio.engine.memory import is_out_of_memory, out_of_memory_message, release_memory

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
    if job.sd_upscale is not None:
        return sd_upscale_job_payloads(model, job, cancel)
    return generation_payloads(model, job, cancel, view_settings)
