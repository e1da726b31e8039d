"""One engine replica: the model loaded once and kept warm, running one job at a time.

A job runs through the engine's own runner (:func:`~sdstudio.engine.jobs.runner.run_job`)
with saving off, on one thread of the replica's (torch keeps per-thread state, such as
inference mode, across the steps of a run), which never waits for the network nor for the
encoding: its payloads become JSON objects (PNGs encoded too) on a second thread, in order,
and are streamed back in batches (:mod:`~sdstudio.serve.payload_batches`). The run stops
at the next step when the job's cancel flag on the :mod:`job board <sdstudio.serve.job_board>`
is set, or when the stream's reader goes away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any

from ray import serve

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.jobs.events import JobDone, JobFailed
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.remote.wire_events import wire_event
from sdstudio.serve.deployment_answer import answer
from sdstudio.serve.payload_batches import PayloadBatches

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job

logger = logging.getLogger(__name__)


@serve.deployment(max_ongoing_requests=1)
class EngineReplica:
    """Loads ``model`` on ``device`` (torch limited to ``threads`` CPU threads) and reports
    it to the board, so ``GET /models`` can answer while every replica is busy."""

    async def __init__(
        self, board: Any, model: str, device: str, load: LoadOptions, threads: int
    ) -> None:
        """The model loads on the jobs' thread: Serve may run this on the replica's own event
        loop (see :mod:`sdstudio.serve.local_ray`), which must not stop for a minute's load."""
        import torch

        from sdstudio.engine.metadata import start_model_hash
        from sdstudio.engine.models.loading import load_model

        torch.set_num_threads(threads)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdstudio-job")
        loading = partial(load_model, model, device=device, options=load)
        self._model = await asyncio.get_running_loop().run_in_executor(self._thread, loading)
        start_model_hash(self._model.source)  # ready for the first image's record
        self._board = board
        self._name = serve.get_replica_context().replica_id.to_full_id_str()
        # PNGs and JSON are made on a thread of their own, in order, so the run goes on to
        # its next step meanwhile (on a GPU box: the GPU is not kept waiting for the CPU)
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdstudio-wire")
        description = {
            "name": self._model.name,
            "spec": model,
            "family": self._model.family.name,
            "description": self._model.description,
            "default_size": self._model.default_size,
            "device": self._model.placement.label,
        }
        board.publish_model.remote(description)

    async def run(self, job: Job) -> AsyncIterator[list[dict[str, Any]]]:
        """The job's events as JSON objects, from ``started`` to ``done``, in batches."""
        loop = asyncio.get_running_loop()
        cancel = CancelToken()
        batches = PayloadBatches(loop, self._wire, cancel, job.id)

        def produce() -> None:  # the run never waits for the network, nor for the encoding
            from sdstudio.engine.jobs.runner import run_job

            try:
                for event in run_job(self._model, job, cancel):
                    batches.put(event.payload)
            except Exception as error:  # run_job reports its own failures; this is ours
                logger.exception("Job %s could not be run", job.id)
                batches.put(JobFailed(f"The server could not run this job: {error}"))
                batches.put(JobDone())
            finally:
                batches.end()

        loop.run_in_executor(self._thread, produce)  # first: the run waits for nothing else
        self._encoder.submit(batches.pump)
        watch = asyncio.create_task(self._cancel_when_asked(job.id, cancel))
        try:
            while (batch := await batches.next()) is not None:
                yield batch
        finally:  # a reader that went away stops the run at its next step
            cancel.cancel()
            watch.cancel()
            self._board.forget.remote(job.id)

    def _wire(self, payload: Any) -> dict[str, Any] | None:
        data = wire_event(payload)
        if data is not None and data["event"] == "started":
            data["replica"] = self._name
        return data

    async def _cancel_when_asked(self, job_id: str, cancel: CancelToken) -> None:
        if await answer(self._board.cancelled.remote(job_id)):
            cancel.cancel()
