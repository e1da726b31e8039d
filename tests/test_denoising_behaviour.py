"""What users see from the loop: seeds, strength edges, batches, cancel, step events."""

from __future__ import annotations

import pytest

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import Cancelled, ImageFinished, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from tests.helpers import finished_images, max_pixel_difference, noise_image, pixels

SMALL = {"steps": 4, "width": 64, "height": 64}


def test_same_seed_gives_the_same_image(demo_model) -> None:
    request = GenerationRequest("a lighthouse", seed=7, **SMALL)
    first, second = finished_images(demo_model, request), finished_images(demo_model, request)
    assert max_pixel_difference(first[0], second[0]) == 0


def test_different_seeds_give_different_images(demo_model) -> None:
    (first,) = finished_images(demo_model, GenerationRequest("a lighthouse", seed=7, **SMALL))
    (second,) = finished_images(demo_model, GenerationRequest("a lighthouse", seed=8, **SMALL))
    assert max_pixel_difference(first, second) > 10


def test_batch_uses_consecutive_seeds(demo_model) -> None:
    batch = GenerationRequest("a lighthouse", seed=7, batch_count=2, **SMALL)
    events = [e for e in generate(demo_model, batch) if isinstance(e, ImageFinished)]
    assert [e.seed for e in events] == [7, 8]
    (alone,) = finished_images(demo_model, GenerationRequest("a lighthouse", seed=8, **SMALL))
    assert max_pixel_difference(events[1].image, alone) == 0


def test_every_step_yields_latents_and_a_clean_estimate(demo_model) -> None:
    request = GenerationRequest("a lighthouse", seed=1, scheduler="Euler", **SMALL)
    steps = [e for e in generate(demo_model, request) if isinstance(e, StepEvent)]
    assert [e.step for e in steps] == [1, 2, 3, 4]
    assert all(e.total == 4 for e in steps)
    assert all(e.latents.shape == (1, 4, 8, 8) and e.x0.shape == (1, 4, 8, 8) for e in steps)
    assert steps[0].timestep > steps[-1].timestep


def test_strength_zero_returns_the_init_image_without_steps(demo_model) -> None:
    init = noise_image(64, 64)
    request = GenerationRequest("x", init_image=init, strength=0.0, **SMALL)
    events = list(generate(demo_model, request))
    assert not any(isinstance(e, StepEvent) for e in events)
    (finished,) = events
    assert (pixels(finished.image) == pixels(init)).all()


def test_strength_one_ignores_the_init_image(demo_model) -> None:
    txt2img = GenerationRequest("a boat", seed=3, **SMALL)
    init = noise_image(64, 64)
    with_init = GenerationRequest("a boat", seed=3, init_image=init, strength=1.0, **SMALL)
    (plain,) = finished_images(demo_model, txt2img)
    (ignored,) = finished_images(demo_model, with_init)
    assert max_pixel_difference(plain, ignored) == 0


def test_strength_sets_how_many_steps_run(demo_model) -> None:
    request = GenerationRequest(
        "a boat",
        init_image=noise_image(64, 64),
        strength=0.5,
        steps=10,
        width=64,
        height=64,
        scheduler="Euler",
    )
    steps = [e for e in generate(demo_model, request) if isinstance(e, StepEvent)]
    assert len(steps) == 5


@pytest.mark.parametrize("strength", [-0.1, 1.5])
def test_strength_outside_zero_to_one_is_refused(strength: float) -> None:
    with pytest.raises(RequestError, match="strength must be between 0 and 1"):
        GenerationRequest("x", strength=strength)


def test_cancel_stops_within_one_step_and_makes_no_image(demo_model) -> None:
    cancel = CancelToken()
    request = GenerationRequest("a boat", steps=10, width=64, height=64)
    events = []
    for event in generate(demo_model, request, cancel):
        events.append(event)
        if isinstance(event, StepEvent) and event.step == 2:
            cancel.cancel()
    assert [type(e) for e in events] == [StepEvent, StepEvent, Cancelled]
    assert events[-1].after_step == 2
