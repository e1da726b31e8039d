"""The loop's extension points: reached in order, able to change what the loop computes."""

from __future__ import annotations

import numpy as np
import torch

from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.generation.extensions import GenerationExtension
from sdstudio.engine.generation.request import GenerationRequest


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red barn", steps=3, width=64, height=64, seed=3, scheduler="Euler")
    return GenerationRequest(**{**values, **changes})


def _final_image(model, request, extensions=()) -> np.ndarray:
    events = list(generate(model, request, extensions=extensions))
    [finished] = [event for event in events if isinstance(event, ImageFinished)]
    return np.asarray(finished.image, dtype=np.int16)


class _Recorder(GenerationExtension):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __enter__(self):
        self.calls.append("enter")
        return self

    def __exit__(self, *exc_info):
        self.calls.append("exit")

    def before_loop(self, ctx) -> None:
        self.calls.append(f"before_loop {ctx.image_index}")

    def before_unet(self, ctx, call) -> None:
        self.calls.append(f"unet {ctx.position}")

    def after_step(self, ctx, step) -> None:
        self.calls.append(f"step {step.step}")

    def after_loop(self, ctx) -> None:
        self.calls.append(f"after_loop {ctx.image.size}")
        ctx.emit("a note from the extension")


def test_points_are_reached_in_order_for_each_image(demo_model) -> None:
    recorder = _Recorder()
    events = list(generate(demo_model, _request(steps=2, batch_count=2), extensions=[recorder]))
    per_image = ["unet 0", "step 1", "unet 1", "step 2", "after_loop (64, 64)"]
    assert recorder.calls == [
        "enter",
        "before_loop 0",
        *per_image,
        "before_loop 1",
        *per_image,
        "exit",
    ]
    notes = [i for i, event in enumerate(events) if event == "a note from the extension"]
    finished = [i for i, event in enumerate(events) if isinstance(event, ImageFinished)]
    assert [note + 1 for note in notes] == finished  # emitted just before its image


def test_an_extension_is_exited_when_the_consumer_stops_early(demo_model) -> None:
    recorder = _Recorder()
    events = generate(demo_model, _request(steps=5), extensions=[recorder])
    next(event for event in events if isinstance(event, StepEvent))
    events.close()
    assert recorder.calls[-1] == "exit"


def test_after_step_may_change_the_latents(demo_model) -> None:
    class Darken(GenerationExtension):
        def after_step(self, ctx, step) -> None:
            ctx.latents = ctx.latents - 2.0

    plain = _final_image(demo_model, _request())
    changed = _final_image(demo_model, _request(), [Darken()])
    assert np.abs(plain - changed).max() > 10


def test_before_unet_may_change_the_unets_conditioning(demo_model) -> None:
    class Mute(GenerationExtension):
        def before_unet(self, ctx, call) -> None:
            call.kwargs["encoder_hidden_states"] = torch.zeros_like(
                call.kwargs["encoder_hidden_states"]
            )

    plain = _final_image(demo_model, _request())
    muted = _final_image(demo_model, _request(), [Mute()])
    assert np.abs(plain - muted).max() > 0


def test_after_loop_may_replace_the_image(demo_model) -> None:
    from PIL import Image

    class White(GenerationExtension):
        def after_loop(self, ctx) -> None:
            ctx.image = Image.new("RGB", ctx.image.size, "white")

    assert (_final_image(demo_model, _request(), [White()]) == 255).all()
