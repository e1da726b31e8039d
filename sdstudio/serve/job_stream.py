"""A job's stream as the gateway sends it: the engine replica's events, kept alive and ended
with words whatever happens.

- ``queued`` at once, then ``waiting`` every :data:`HEARTBEAT_S` while nothing else comes,
  so a client can tell a job waiting for a free replica from a dead connection;
- a cancel while the job still waits for a replica ends it there (``cancelled``), without
  waiting for a replica to start it and stop; the job's flag is only watched from here once
  the job has waited :data:`WATCH_WAITING_AFTER_S` (a replica that starts it watches the flag
  itself, so a job that starts at once costs the board no call from here);
- a replica that dies mid-job (or a run Serve cannot start) becomes ``failed`` with a message;
- a reader that goes away cancels the run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sdstudio.serve.deployment_answer import answer

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job

HEARTBEAT_S = 10.0
WATCH_WAITING_AFTER_S = 0.2


async def job_lines(stream: Any, board: Any, job: Job) -> AsyncIterator[str]:
    """The JSON lines of ``job``, whose run on the engine deployment is ``stream``."""
    yield _line({"event": "queued", "job": job.id})
    asked_to_cancel: asyncio.Future[Any] | None = None  # once the job has waited
    next_event = asyncio.ensure_future(_next(stream))
    watch_cancel, finished = True, False  # a started run watches its cancel flag itself
    try:
        while not finished:
            watched = {next_event}
            if watch_cancel and asked_to_cancel is not None:
                watched.add(asked_to_cancel)
            unwatched = watch_cancel and asked_to_cancel is None
            done, _ = await asyncio.wait(
                watched,
                timeout=WATCH_WAITING_AFTER_S if unwatched else HEARTBEAT_S,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not done and unwatched:
                asked_to_cancel = asyncio.ensure_future(answer(board.cancelled.remote(job.id)))
            elif not done:
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
            elif asked_to_cancel is not None and asked_to_cancel.result():
                stream.cancel()
                yield _line({"event": "cancelled", "after_step": 0})
                yield _line({"event": "done"})
                finished = True
            else:
                watch_cancel = False  # the board forgot it: only the run's own events are left
    finally:
        if asked_to_cancel is not None:
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


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":")) + "\n"
