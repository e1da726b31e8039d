"""Running a job from the command line: progress and notices on stderr, failure as an error."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import UserFacingError

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel


def run_in_terminal(model: LoadedModel, job: Job, on_payload: Callable[[Any], None]) -> None:
    """Run ``job``, handing every other payload to ``on_payload``; a failed job raises
    ``UserFacingError`` with its message, which ``sdstudio`` prints as one line."""
    from sdstudio.engine.generation.events import Notice, StepEvent
    from sdstudio.engine.jobs.events import JobFailed
    from sdstudio.engine.jobs.runner import run_job

    for event in run_job(model, job):
        payload = event.payload
        if isinstance(payload, StepEvent):
            if sys.stderr.isatty():
                print(f"\rstep {payload.step}/{payload.total}", end="", file=sys.stderr, flush=True)
        elif isinstance(payload, Notice):
            print(f"sdstudio: {payload.text}", file=sys.stderr)
        elif isinstance(payload, JobFailed):
            raise UserFacingError(payload.message)
        on_payload(payload)
