"""How late a 10 ms GUI timer fires: the window's responsiveness, shared by the GUI benchmarks.

Import it after the QApplication's module is importable; the timer is made on first use.
"""

from __future__ import annotations

import statistics
import time

TICK_MS = 10


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class TimerLateness:
    """A precise 10 ms timer on the GUI thread that notes when each tick fires."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self._ticks: list[float] = []
        self._timer = QTimer(interval=TICK_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(lambda: self._ticks.append(time.perf_counter()))

    def start(self) -> None:
        """Start afresh (earlier ticks are forgotten)."""
        self._ticks.clear()
        self._timer.start()

    def stop(self) -> list[float]:
        """Stop; how many ms late each tick after the first came."""
        self._timer.stop()
        gaps = [(b - a) * 1000 for a, b in zip(self._ticks, self._ticks[1:], strict=False)]
        return [max(0.0, gap - TICK_MS) for gap in gaps]


def describe(late: list[float]) -> str:
    """``ticks N   lateness p50 … ms   p99 … ms   max … ms``."""
    return (
        f"ticks {len(late):5d}   lateness p50 {statistics.median(late):5.1f} ms"
        f"   p99 {percentile(late, 0.99):5.1f} ms   max {max(late):6.1f} ms"
    )
