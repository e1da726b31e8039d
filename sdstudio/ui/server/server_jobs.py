"""Which queued jobs run on a server, shared by the queue (GUI thread) and the worker.

The queue marks a job before it hands it over; the worker asks, when it starts a job,
whether to run it through :class:`~sdstudio.engine.remote.client.RemoteRunner` instead of
the local runner. Job ids are unique, so one table serves every window.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.jobs.events import JobDone, JobEvent, JobFailed, JobStarted

if TYPE_CHECKING:
    from sdstudio.engine.cancel import CancelToken
    from sdstudio.engine.jobs.job import Job


class ServerJobs:
    """Job id → (url, token) of the server that runs it, under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._servers: dict[str, tuple[str, str]] = {}

    def mark(self, job_id: str, url: str, token: str) -> None:
        with self._lock:
            self._servers[job_id] = (url, token)

    def server_of(self, job_id: str) -> tuple[str, str] | None:
        with self._lock:
            return self._servers.get(job_id)

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._servers.pop(job_id, None)


SERVER_JOBS = ServerJobs()


def run_on_server(
    job: Job, server: tuple[str, str], cancel: CancelToken
) -> Iterator[JobEvent[Any]]:
    """The events of ``job`` run on ``server``, as the local runner yields them; an address
    that is not one fails the job with the reason instead of raising."""
    from sdstudio.engine.remote.client import RemoteRunner

    url, token = server
    try:
        runner = RemoteRunner(url, token or None)
    except UserFacingError as error:
        yield JobEvent(job.id, JobStarted(job.request.image_count))
        yield JobEvent(job.id, JobFailed(str(error)))
        yield JobEvent(job.id, JobDone())
        return
    yield from runner.run_job(job, cancel)
