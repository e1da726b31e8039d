"""One engine replica: the model loaded once and kept warm, running one job at a time.

A job runs through the engine's own runner (:func:`~sdstudio.engine.jobs.runner.run_job`)
with saving off, on one thread of the replica's (torch keeps per-thread state, such as
inference mode, across the steps of a run), which never waits for the network nor for the
encoding: each payload becomes a JSON object (PNGs encoded too) on a second thread, in order,
and is streamed back with whatever else is ready. The run stops at the next step when the
job's cancel flag on the :mod:`job board <sdstudio.serve.job_board>` is set, or when the
stream's reader goes away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ray import serve

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.jobs.events import JobDone, JobFailed
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.remote.wire_events import wire_event

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job

logger = logging.getLogger(__name__)

# Steps and previews wait at most this long to travel together, which a display refreshed 30
# times a second cannot tell, and each message through Serve's proxies costs more than its
# bytes; the start, each finished image and the end go at once.
GATHER_S = 0.03
PROMPT_EVENTS = ("started", "image", "cancelled", "failed", "done")


async def _gathered(made: asyncio.Queue[dict[str, Any] | None]) -> list[dict[str, Any] | None]:
    """The next events of ``made`` (None: the run is over), as one batch."""
    loop = asyncio.get_running_loop()
    batch = [await made.get()]
    deadline = loop.time() + GATHER_S
    while batch[-1] is not None and batch[-1]["event"] not in PROMPT_EVENTS:
        try:
            batch.append(await asyncio.wait_for(made.get(), deadline - loop.time()))
        except asyncio.TimeoutError:  # the builtin one only from Python 3.11
            break
    while not made.empty() and batch[-1] is not None:
        batch.append(made.get_nowait())
    return batch


def _failure(message: str) -> list[dict[str, Any] | None]:
    return [wire_event(JobFailed(message)), wire_event(JobDone())]


@serve.deployment(max_ongoing_requests=1)
class EngineReplica:
    """Loads ``model`` on ``device`` (torch limited to ``threads`` CPU threads) and reports
    it to the board, so ``GET /models`` can answer while every replica is busy."""

    def __init__(
        self, board: Any, model: str, device: str, load: LoadOptions, threads: int
    ) -> None:
        import torch

        from sdstudio.engine.metadata import start_model_hash
        from sdstudio.engine.models.loading import load_model

        torch.set_num_threads(threads)
        self._model = load_model(model, device=device, options=load)
        start_model_hash(self._model.source)  # ready for the first image's record
        self._board = board
        self._name = serve.get_replica_context().replica_id.to_full_id_str()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdstudio-job")
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
        made: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

        failed = []  # the encoder's first failure ends the stream there

        def send(payload: Any) -> None:  # on the encoder thread, one payload after another
            if failed:
                return
            try:
                data = self._wire(payload)
            except Exception as error:
                logger.exception("Job %s could not be streamed", job.id)
                failed.append(error)
                cancel.cancel()
                message = f"The server could not send this job's events: {error}"
                for each in _failure(message):
                    loop.call_soon_threadsafe(made.put_nowait, each)
                return
            if data is not None:
                loop.call_soon_threadsafe(made.put_nowait, data)

        def produce() -> None:  # the run never waits for the network, nor for the encoding
            from sdstudio.engine.jobs.runner import run_job

            try:
                for event in run_job(self._model, job, cancel):
                    self._encoder.submit(send, event.payload)
            except Exception as error:  # run_job reports its own failures; this is ours
                logger.exception("Job %s could not be run", job.id)
                for payload in (JobFailed(f"The server could not run this job: {error}"),
                                JobDone()):  # fmt: skip
                    self._encoder.submit(send, payload)
            finally:
                self._encoder.submit(loop.call_soon_threadsafe, made.put_nowait, None)

        watch = asyncio.create_task(self._cancel_when_asked(job.id, cancel))
        loop.run_in_executor(self._thread, produce)
        try:
            over = False
            while not over:
                batch = await _gathered(made)
                over = batch[-1] is None
                yield [data for data in batch if data is not None]
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
        response = self._board.cancelled.remote(job_id)
        try:
            if await response:
                cancel.cancel()
        except asyncio.CancelledError:
            response.cancel()
            raise
