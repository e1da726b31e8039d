"""Choosing a preview's resolution so decoding stays a small fraction of the run's time."""

from __future__ import annotations

import time
from collections.abc import Callable

PREVIEW_SCALES = (1.0, 0.5, 0.25, 0.125)  # of the latent's height and width, largest first
SMOOTHING = 0.5


class PreviewTimeBudget:
    """Picks the largest scale whose decode time fits ``budget`` x the work between previews.

    Decode times are measured per scale; an unmeasured scale is predicted from the nearest
    measured one by pixel count. The first preview uses the smallest scale, so a slow decoder
    never stalls a fast model, and a fast machine climbs to full size within a few steps.
    """

    def __init__(
        self,
        budget: float = 0.10,
        scales: tuple[float, ...] = PREVIEW_SCALES,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._budget = budget
        self._scales = tuple(sorted(scales, reverse=True))
        self._clock = clock
        self._costs: dict[float, float] = {}
        self._work: float | None = None
        self._last_end: float | None = None
        self._started = 0.0

    def begin(self, continuing: bool = True) -> float:
        """Call before decoding; ``continuing=False`` when idle time preceded (a new run)."""
        now = self._clock()
        if continuing and self._last_end is not None:
            self._work = _smooth(self._work, now - self._last_end)
        self._started = now
        return self._pick()

    def end(self, scale: float) -> None:
        """Call after decoding at ``scale``."""
        now = self._clock()
        self._costs[scale] = _smooth(self._costs.get(scale), now - self._started)
        self._last_end = now

    def _pick(self) -> float:
        if self._work is None:
            return self._scales[-1]
        allowed = self._budget * self._work
        for scale in self._scales:
            if self._predicted_cost(scale) <= allowed:
                return scale
        return self._scales[-1]

    def _predicted_cost(self, scale: float) -> float:
        if scale in self._costs:
            return self._costs[scale]
        nearest = min(self._costs, key=lambda measured: abs(measured - scale), default=None)
        if nearest is None:
            return float("inf")
        return self._costs[nearest] * (scale / nearest) ** 2


def _smooth(previous: float | None, value: float) -> float:
    return value if previous is None else SMOOTHING * value + (1 - SMOOTHING) * previous
