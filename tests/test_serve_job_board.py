"""The job board on its own (no Ray instance): a streamed job's run may ask for its cancel
flag before the job's submission reaches the board, and a cancel must still reach it."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("ray.serve", reason='needs the serve extra: pip install "sdstudio[serve]"')

from sdstudio.engine.generation.request import GenerationRequest  # noqa: E402
from sdstudio.engine.jobs.job import Job  # noqa: E402
from sdstudio.serve.job_board import JobBoard  # noqa: E402


def _board() -> JobBoard:
    return JobBoard.func_or_class()  # the class Serve deploys, called here as a plain one


def _job() -> Job:
    return Job(GenerationRequest(prompt="a fox", steps=2, width=64, height=64))


def test_a_cancel_reaches_a_run_that_asked_for_its_flag_before_the_submission():
    async def scenario() -> bool:
        board, job = _board(), _job()
        watch = asyncio.ensure_future(board.cancelled(job.id))  # the replica, first
        await asyncio.sleep(0)
        assert await board.follow(job.id)  # the gateway's, arriving late
        assert await board.cancel(job.id)
        return await asyncio.wait_for(watch, 5)

    assert asyncio.run(scenario()) is True


def test_a_job_nobody_submitted_cannot_be_cancelled_and_leaves_nothing_behind():
    async def scenario() -> tuple[bool, bool, int]:
        board, job = _board(), _job()
        watch = asyncio.ensure_future(board.cancelled(job.id))  # an A1111 run: no stream
        await asyncio.sleep(0)
        refused = not await board.cancel(job.id)
        watch.cancel()  # the run is over
        await asyncio.gather(watch, return_exceptions=True)
        taken = await board.take(job.id) is None
        return refused, taken, len(board._jobs)

    assert asyncio.run(scenario()) == (True, True, 0)


def test_a_submitted_job_keeps_its_flag_when_its_first_watch_stops():
    async def scenario() -> bool:
        board, job = _board(), _job()
        watch = asyncio.ensure_future(board.cancelled(job.id))
        await asyncio.sleep(0)
        await board.follow(job.id)
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
        return await board.cancel(job.id)

    assert asyncio.run(scenario()) is True
