"""Running a job from the command line: progress and notices on stderr, failure as an error."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import UserFacingError

if TYPE_CHECKING:
    from sdstudio.engine.jobs.events import JobEvent
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel


def run_in_terminal(model: LoadedModel, job: Job, on_payload: Callable[[Any], None]) -> None:
    """Run ``job``, handing every other payload to ``on_payload``; a failed job raises
    ``UserFacingError`` with its message, which ``sdstudio`` prints as one line."""
    from sdstudio.engine.jobs.runner import run_job

    show_in_terminal(run_job(model, job), on_payload)


def show_in_terminal(events: Iterable[JobEvent[Any]], on_payload: Callable[[Any], None]) -> None:
    """Show a job's ``events`` (from this machine or a server) as :func:`run_in_terminal`
    does: step progress and notices on stderr, a failure raised as ``UserFacingError``;
    every payload but a failure also goes to ``on_payload``."""
    from sdstudio.engine.generation.events import Notice, StepEvent
    from sdstudio.engine.jobs.events import JobFailed

    for event in events:
        payload = event.payload
        if isinstance(payload, StepEvent):
            if sys.stderr.isatty():
                print(f"\rstep {payload.step}/{payload.total}", end="", file=sys.stderr, flush=True)
        elif isinstance(payload, Notice):
            print(f"sdstudio: {payload.text}", file=sys.stderr)
        elif isinstance(payload, JobFailed):
            raise UserFacingError(payload.message)
        on_payload(payload)
