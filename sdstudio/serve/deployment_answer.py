"""Waiting for a deployment's answer so that giving up on it also withdraws the call."""

from __future__ import annotations

import asyncio
from typing import Any


async def answer(response: Any) -> Any:
    """What a deployment handle's ``response`` answers. When the waiting task is cancelled,
    the call is cancelled too, so the deployment stops waiting on our behalf (a board call
    that waits for a job's flag would otherwise stay open until the job ends)."""
    try:
        return await response
    except asyncio.CancelledError:
        response.cancel()
        raise
