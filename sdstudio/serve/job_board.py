"""Where a server's jobs wait to be streamed, and where a cancel finds its job.

``POST /jobs`` and ``GET /jobs/{id}/events`` may reach different gateway replicas, and the
job runs on whichever engine replica Serve picks, so neither can hold a job's state. This
one small deployment does: it keeps each submitted job until its stream takes it, and a
cancel flag per job that an engine replica waits on while it runs that job (an awaited call,
so a cancel reaches the run at once, with no polling). It also keeps what the engine
replicas report about their model, for ``GET /models``.

A streamed job's run starts while its submission is still on its way here (one hop fewer
before the first step), so a replica may ask for a flag before the job is known: the flag
is made then, and kept only if the job is submitted or cancelled while its run watches it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ray import serve

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job

UNCLAIMED_JOB_S = 3600.0  # a submitted job nobody streams is dropped after this
MAX_WAITING_JOBS = 100_000


@dataclass
class _JobState:
    job: Job | None  # until its stream takes it
    submitted: float = field(default_factory=time.monotonic)
    cancelled: bool = False
    over: asyncio.Event = field(default_factory=asyncio.Event)  # cancelled or forgotten
    known: bool = True  # False: made by a run's watch before the job was submitted


@serve.deployment(num_replicas=1, max_ongoing_requests=100_000, ray_actor_options={"num_cpus": 0})
class JobBoard:
    """Jobs by id, from submission until their run ends. Every method is a coroutine, so all
    run on the replica's event loop, where the flags' events live."""

    def __init__(self) -> None:
        self._jobs: dict[str, _JobState] = {}
        self._model: dict[str, Any] | None = None

    async def submit(self, job: Job) -> bool:
        """Keep ``job`` until its stream takes it; False when the board is full."""
        return self._add(job.id, job)

    async def follow(self, job_id: str) -> bool:
        """A job whose stream has it already (``POST /jobs/run``): keep only its cancel flag
        (the job's pictures never travel here); False when the board is full."""
        return self._add(job_id, None)

    async def take(self, job_id: str) -> Job | None:
        """The job to stream, once: None for an unknown id or one already streaming."""
        state = self._jobs.get(job_id)
        if state is None or state.job is None:
            return None
        job, state.job = state.job, None
        return job

    async def cancel(self, job_id: str) -> bool:
        """Flag the job; False when no such job waits or runs."""
        state = self._jobs.get(job_id)
        if state is None or not state.known:
            return False
        state.cancelled = True
        state.over.set()
        return True

    async def cancelled(self, job_id: str) -> bool:
        """Returns when the job is cancelled (True) or forgotten (False). A job not known
        yet gets its flag now (its submission may still be on its way); the flag goes when
        the caller stops waiting, unless the job was submitted meanwhile."""
        state = self._jobs.get(job_id)
        if state is None:
            state = self._jobs[job_id] = _JobState(None, known=False)
        try:
            await state.over.wait()
        finally:
            if not state.known and self._jobs.get(job_id) is state:
                del self._jobs[job_id]  # never submitted: a run no stream asked for
        return state.cancelled

    async def forget(self, job_id: str) -> None:
        """The job's run is over: release whoever waits on its flag."""
        self._release(job_id)

    async def publish_model(self, description: dict[str, Any]) -> None:
        self._model = description

    async def model(self) -> dict[str, Any] | None:
        """The served model as an engine replica described it; None until one has loaded."""
        return self._model

    def _add(self, job_id: str, job: Job | None) -> bool:
        self._drop_unclaimed()
        watched = self._jobs.get(job_id)
        if watched is not None and not watched.known:  # its run asked for the flag first
            watched.known = True
            return True
        if len(self._jobs) >= MAX_WAITING_JOBS:
            return False
        self._jobs[job_id] = _JobState(job)
        return True

    def _drop_unclaimed(self) -> None:
        limit = time.monotonic() - UNCLAIMED_JOB_S
        for job_id in [i for i, s in self._jobs.items() if s.job and s.submitted < limit]:
            self._release(job_id)

    def _release(self, job_id: str) -> None:
        state = self._jobs.pop(job_id, None)
        if state is not None:
            state.over.set()
