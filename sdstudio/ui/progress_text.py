"""What the progress bar says: step x/y, the rate and time left.

The rate keeps one unit for a whole run: it/s or s/it, chosen on the run's first measured
rate (as tqdm reads it), so a run hovering around 1 it/s does not flip between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Progress:
    """Where a run is: ``step`` of ``total`` in image ``image_index`` of ``batch_count``.

    ``elapsed_s`` is the time since the run's first step finished, so the rate measures
    denoising steps rather than the text encoding before them.
    """

    step: int
    total: int
    image_index: int = 0
    batch_count: int = 1
    elapsed_s: float = 0.0
    unit: str = "Image"  # "Batch" when several images step together

    @property
    def done_steps(self) -> int:
        return self.image_index * self.total + self.step

    @property
    def all_steps(self) -> int:
        return self.total * self.batch_count

    @property
    def rate(self) -> float | None:
        """Steps per second, once there are two steps to measure between."""
        if self.done_steps < 2 or self.elapsed_s <= 0:
            return None
        return (self.done_steps - 1) / self.elapsed_s

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate
        return None if rate is None else (self.all_steps - self.done_steps) / rate


def format_duration(seconds: float) -> str:
    """``4 s``, ``1 min 05 s``, ``1 h 02 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class RateUnit(Enum):
    """How a rate is written: steps per second, or seconds per step for slow runs."""

    PER_SECOND = "it/s"
    SECONDS_EACH = "s/it"

    @classmethod
    def for_rate(cls, rate: float) -> RateUnit:
        """it/s from 1 step a second up, s/it below."""
        return cls.PER_SECOND if rate >= 1 else cls.SECONDS_EACH

    def format(self, rate: float) -> str:
        """``rate`` (steps per second) in this unit: ``2.5 it/s``, ``0.80 it/s``, ``4.0 s/it``."""
        value = rate if self is RateUnit.PER_SECOND else 1 / rate
        return f"{value:.1f} {self.value}" if value >= 1 else f"{value:.2f} {self.value}"


def format_progress(progress: Progress, unit: RateUnit | None = None) -> str:
    """e.g. ``Image 2/4 · Step 7/20 · 3.4 it/s · 12 s left``; the rate in ``unit``, or in
    the unit that suits it when None."""
    parts = []
    if progress.batch_count > 1:
        parts.append(f"{progress.unit} {progress.image_index + 1}/{progress.batch_count}")
    parts.append(f"Step {progress.step}/{progress.total}")
    rate = progress.rate
    if rate is not None:
        parts.append((unit or RateUnit.for_rate(rate)).format(rate))
        parts.append(f"{format_duration(progress.seconds_left or 0)} left")
    return " · ".join(parts)


class RunProgressText:
    """Progress texts of one run after another, each run's rate in one unit.

    The unit is chosen on the first progress that has a rate and kept; a progress without
    one (a run's first step) or :meth:`reset` starts a new run.
    """

    def __init__(self) -> None:
        self._unit: RateUnit | None = None

    def reset(self) -> None:
        self._unit = None

    def format(self, progress: Progress) -> str:
        rate = progress.rate
        if rate is None:
            self._unit = None
        elif self._unit is None:
            self._unit = RateUnit.for_rate(rate)
        return format_progress(progress, self._unit)
