"""A job's stream as the gateway sends it: the engine replica's events, kept alive and ended
with words whatever happens.

- ``queued`` at once, then ``waiting`` every :data:`HEARTBEAT_S` while nothing else comes,
  so a client can tell a job waiting for a free replica from a dead connection;
- a cancel while the job still waits for a replica ends it there (``cancelled``), without
  waiting for a replica to start it and stop;
- a replica that dies mid-job (or a run Serve cannot start) becomes ``failed`` with a message;
- a reader that goes away cancels the run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job

HEARTBEAT_S = 10.0


async def job_lines(engine: Any, board: Any, job: Job) -> AsyncIterator[str]:
    """The JSON lines of ``job``, run by the ``engine`` deployment."""
    yield _line({"event": "queued", "job": job.id})
    stream = engine.options(stream=True).run.remote(job)
    asked_to_cancel = asyncio.ensure_future(_result(board.cancelled.remote(job.id)))
    next_event = asyncio.ensure_future(_next(stream))
    watch_cancel, finished = True, False  # a started run watches its cancel flag itself
    try:
        while not finished:
            watched = {next_event, asked_to_cancel} if watch_cancel else {next_event}
            done, _ = await asyncio.wait(
                watched, timeout=HEARTBEAT_S, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                yield _line({"event": "waiting"})
            elif next_event in done:
                try:
                    batch = next_event.result()
                except StopAsyncIteration:
                    break
                except Exception as error:  # the replica died, or the run could not start
                    for line in _lost(error):
                        yield line
                    finished = True
                    break
                watch_cancel = False
                finished = any(data.get("event") == "done" for data in batch)
                yield "".join(_line(data) for data in batch)
                if not finished:
                    next_event = asyncio.ensure_future(_next(stream))
            elif asked_to_cancel.result():
                stream.cancel()
                yield _line({"event": "cancelled", "after_step": 0})
                yield _line({"event": "done"})
                finished = True
            else:
                watch_cancel = False  # the board forgot it: only the run's own events are left
    finally:
        asked_to_cancel.cancel()
        next_event.cancel()
        if not finished:
            stream.cancel()
        board.forget.remote(job.id)  # also when no replica got to run it


def _lost(error: Exception) -> list[str]:
    message = (
        "The server lost the replica running this job before it finished "
        f"({type(error).__name__}); run it again"
    )
    return [_line({"event": "failed", "message": message}), _line({"event": "done"})]


async def _next(stream: Any) -> list[dict[str, Any]]:
    return await stream.__anext__()


async def _result(response: Awaitable[Any]) -> Any:
    return await response


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":")) + "\n"
