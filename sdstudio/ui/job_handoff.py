"""The job the worker starts the moment the running one ends, and each job's cancel flag.

Handing the next job over through the window's event loop leaves the model idle for a round
trip, and longer whenever the window is busy drawing the result that just arrived. So the
window *offers* the next job here while one runs, and the worker takes it itself as soon as
the running job ends. Until then the window may replace or withdraw the offer (a reorder, a
removal, Pause); whoever comes first wins, under one lock, and the worker says in its
``RunDone`` which job it took.

Each job has its own cancel flag, so a Cancel meant for a job that has just ended never
stops the one that followed it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sdstudio.engine.cancel import CancelToken

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job


class JobHandoff:
    """Thread-safe: the window offers and cancels, the worker takes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: Job | None = None
        self._tokens: dict[str, CancelToken] = {}

    def token_for(self, job_id: str) -> CancelToken:
        """The cancel flag of ``job_id`` (made on first use)."""
        with self._lock:
            return self._tokens.setdefault(job_id, CancelToken())

    def offer(self, job: Job | None) -> None:
        """Make ``job`` the one to run next (None: withdraw the offer)."""
        with self._lock:
            self._next = job
            if job is not None:
                self._tokens.setdefault(job.id, CancelToken())

    def offered(self) -> str | None:
        """The id of the job on offer, if the worker has not taken it."""
        with self._lock:
            return None if self._next is None else self._next.id

    def take(self) -> Job | None:
        """Called by the worker when a job ends: the job to run now, if any."""
        with self._lock:
            job, self._next = self._next, None
            return job

    def cancel(self, job_id: str) -> None:
        self.token_for(job_id).cancel()

    def cancel_everything(self) -> None:
        """Withdraw the offer and cancel every job that has a flag (shutting down)."""
        with self._lock:
            self._next = None
            for token in self._tokens.values():
                token.cancel()

    def forget(self, job_id: str) -> None:
        """The job is over: its flag is no longer needed."""
        with self._lock:
            self._tokens.pop(job_id, None)
