"""A run's payloads on their way from the run's thread to the replica's event loop, in batches.

On the demo model a step is a few milliseconds of Python, so whatever else runs Python in the
replica's process takes the GIL from the run. Handing each payload over on its own (a thread
woken per payload, the event loop woken per payload, a message through Serve per payload)
made a run with previews 10-15% slower than the same run here. So the run's thread only
queues its payloads (no wake-up but the first of a batch); one thread gathers them for
:data:`GATHER_S`, makes them JSON (PNGs too), and wakes the event loop once per batch. The
end of the run goes at once.

Every batch also costs the gateway and the client (and Serve's proxy, on a cluster where
requests pass through it) their share of the cores the run uses. Ten batches a second keep
previews moving (a front end shows the latest one) and, measured alternately with 30 ms
batches, took the server's cost for a 0.8 s demo job (256²) from 62-69 ms to 15 ms or
less, and with 2 torch threads from 33-65 ms to 21-41 ms; for a 0.3 s job both were alike.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.jobs.events import JobDone, JobFailed
from sdstudio.engine.remote.wire_events import wire_event

logger = logging.getLogger(__name__)

GATHER_S = 0.1  # seconds: ten batches a second

_END = object()  # the run's thread has no more payloads


class PayloadBatches:
    """Payloads :meth:`put` by one run, read back with :meth:`next` as lists of JSON objects
    once :meth:`pump` runs on a thread of its own. ``wire`` makes a payload JSON (None: it
    is not sent); when it fails, the run is cancelled and its stream ends with the failure."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        wire: Callable[[Any], dict[str, Any] | None],
        cancel: CancelToken,
        job_id: str,
    ) -> None:
        self._loop = loop
        self._wire = wire
        self._cancel = cancel
        self._job_id = job_id
        self._payloads: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._send_now = threading.Event()
        self._batches: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue()

    # -- the run's thread ------------------------------------------------------------------

    def put(self, payload: Any) -> None:
        self._payloads.put(payload)

    def end(self) -> None:
        """No more payloads: what is queued goes at once, then the stream ends."""
        self._payloads.put(_END)
        self._send_now.set()

    # -- the gathering thread --------------------------------------------------------------

    def pump(self) -> None:
        """Gather, convert and hand over batches until the run's :meth:`end`."""
        failed = False
        while True:
            first = self._payloads.get()
            if first is not _END:
                self._send_now.wait(GATHER_S)
            self._send_now.clear()
            batch, ended = [], False
            for payload in self._taken(first):
                if payload is _END:
                    ended = True
                    break
                if failed:
                    continue
                try:
                    data = self._wire(payload)
                except Exception as error:
                    failed = True
                    batch.extend(self._failure(error))
                    continue
                if data is not None:
                    batch.append(data)
            if batch:
                self._loop.call_soon_threadsafe(self._batches.put_nowait, batch)
            if ended:
                self._loop.call_soon_threadsafe(self._batches.put_nowait, None)
                return

    def _taken(self, first: Any) -> list[Any]:
        taken = [first]
        while taken[-1] is not _END:
            try:
                taken.append(self._payloads.get_nowait())
            except queue.Empty:
                break
        return taken

    def _failure(self, error: Exception) -> list[dict[str, Any]]:
        logger.error("Job %s could not be streamed", self._job_id, exc_info=error)
        self._cancel.cancel()
        message = f"The server could not send this job's events: {error}"
        return [data for p in (JobFailed(message), JobDone()) if (data := wire_event(p))]

    # -- the event loop --------------------------------------------------------------------

    async def next(self) -> list[dict[str, Any]] | None:
        """The next batch; None once the run is over and everything was handed over."""
        return await self._batches.get()
