"""TAESD previews grow to full size when there is time, and stay small when there is not."""

from __future__ import annotations

from sdstudio.engine.previews.time_budget import PreviewTimeBudget


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _scales(step_seconds: float, decode_seconds_at_full: float, previews: int = 6) -> list[float]:
    clock = FakeClock()
    budget = PreviewTimeBudget(budget=0.1, clock=clock)
    chosen = []
    for _ in range(previews):
        clock.now += step_seconds  # the denoising step
        scale = budget.begin()
        clock.now += decode_seconds_at_full * scale**2
        budget.end(scale)
        chosen.append(scale)
    return chosen


def test_first_preview_is_the_smallest() -> None:
    assert _scales(10.0, 0.1)[0] == 0.125


def test_slow_steps_allow_full_size_previews() -> None:
    assert _scales(step_seconds=10.0, decode_seconds_at_full=0.5)[-1] == 1.0


def test_fast_steps_keep_previews_within_a_tenth_of_the_step() -> None:
    scales = _scales(step_seconds=0.6, decode_seconds_at_full=2.0)
    assert all(2.0 * scale**2 <= 0.06 for scale in scales[1:])
    assert scales[-1] == 0.125
