"""Model-load progress for people: a throttled relay (worker side) and its wording (GUI side)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sdstudio.engine.models.load_progress import LoadProgress

MIN_INTERVAL_S = 0.1


class LoadProgressRelay:
    """A progress callback for ``switch_model`` that passes on at most one report per interval.

    A download reports every chunk, from several threads; the GUI needs a few updates a
    second. A new stage and the last byte always go through.
    """

    def __init__(self, send: Callable[[LoadProgress], object], interval_s: float = MIN_INTERVAL_S):
        self._send = send
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._last_at = float("-inf")
        self._last_stage: object = None

    def __call__(self, progress: LoadProgress) -> None:
        now = time.monotonic()
        complete = progress.done is not None and progress.done == progress.total
        with self._lock:
            due = now - self._last_at >= self._interval_s
            if not (due or complete or progress.stage != self._last_stage):
                return
            self._last_at, self._last_stage = now, progress.stage
        self._send(progress)


def format_bytes(count: int) -> str:
    """``512 B``, ``1.5 MB``, ``2.13 GB`` (powers of 1000, as download sizes are given)."""
    size = float(count)
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.2f} GB"


def describe_load_progress(progress: LoadProgress) -> str:
    """One line for the run bar: the stage's message, with bytes while downloading."""
    if progress.done is None:
        return progress.message
    if progress.total:
        return (
            f"{progress.message}: {format_bytes(progress.done)} of {format_bytes(progress.total)}"
        )
    return f"{progress.message}: {format_bytes(progress.done)}"
