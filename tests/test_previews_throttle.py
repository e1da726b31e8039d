"""Throttling drops previews that would arrive too soon, but never the last step."""

from __future__ import annotations

import torch

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.previews import PreviewKind, PreviewSettings, PreviewThrottle

LATENTS = torch.zeros(1, 4, 1, 1)


def _step(step: int, total: int = 10) -> StepEvent:
    return StepEvent(step=step, total=total, timestep=0.0, latents=LATENTS, x0=LATENTS)


def _previewed(settings: PreviewSettings, seconds_per_step: float, total: int = 10) -> list[int]:
    throttle = PreviewThrottle(settings)
    return [
        step
        for step in range(1, total + 1)
        if throttle.should_preview(_step(step, total), now=step * seconds_per_step)
    ]


def test_every_step_by_default() -> None:
    assert _previewed(PreviewSettings(), 0.1) == list(range(1, 11))


def test_every_third_step_and_always_the_last() -> None:
    assert _previewed(PreviewSettings(every_n_steps=3), 0.1) == [3, 6, 9, 10]


def test_steps_arriving_too_soon_are_dropped_but_the_last_is_delivered() -> None:
    settings = PreviewSettings(min_interval_ms=250)
    assert _previewed(settings, 0.1) == [1, 4, 7, 10]


def test_slow_steps_are_never_dropped_by_the_interval() -> None:
    assert _previewed(PreviewSettings(min_interval_ms=250), 0.5) == list(range(1, 11))


def test_no_previews_when_off() -> None:
    assert _previewed(PreviewSettings(kind=PreviewKind.NONE), 1.0) == []
