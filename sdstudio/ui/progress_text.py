"""What the progress bar says: step x/y, iterations per second and time left."""

from __future__ import annotations

from dataclasses import dataclass


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


def format_progress(progress: Progress) -> str:
    """e.g. ``Image 2/4 · Step 7/20 · 3.4 it/s · 12 s left``."""
    parts = []
    if progress.batch_count > 1:
        parts.append(f"{progress.unit} {progress.image_index + 1}/{progress.batch_count}")
    parts.append(f"Step {progress.step}/{progress.total}")
    rate = progress.rate
    if rate is not None:
        parts.append(f"{rate:.1f} it/s" if rate >= 1 else f"{1 / rate:.1f} s/it")
        parts.append(f"{format_duration(progress.seconds_left or 0)} left")
    return " · ".join(parts)
