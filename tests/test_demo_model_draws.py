"""The shipped demo model draws what a prompt of its world asks for, judged from the pixels.

Fixed prompts and seeds, 20 steps, CFG 7, through sdstudio's own loop: the figures are the
same on every run and machine (CPU float32).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.training.world import Position, Scene, Shape, prompt_for
from tests.shapes_judge import accuracy_report, grammar_scenes, judge

PROMPTS = 50


def draw(model, prompt: str, seed: int, **settings):
    request = GenerationRequest(
        prompt, seed=seed, steps=20, cfg_scale=7.0, width=128, height=128, **settings
    )
    (image,) = [e.image for e in generate(model, request) if isinstance(e, ImageFinished)]
    return image


@pytest.fixture(scope="module")
def verdicts(demo_model) -> list[dict[str, bool]]:
    """The judge's verdicts on 50 grammar prompts (seeds 0-49, 20 steps, CFG 7)."""
    return [
        judge(draw(demo_model, prompt_for(scene), seed), scene)
        for seed, scene in enumerate(grammar_scenes(PROMPTS))
    ]


def test_background_colour_and_shape_are_drawn_as_asked(verdicts) -> None:
    marks = [v[name] for v in verdicts for name in ("background", "colour", "shape")]

    assert sum(marks) / len(marks) >= 0.88, accuracy_report(verdicts)


def test_at_least_nine_checks_in_ten_show_what_the_prompt_asked(verdicts) -> None:
    marks = [right for verdict in verdicts for right in verdict.values()]

    assert sum(marks) / len(marks) >= 0.9, accuracy_report(verdicts)


def _drawn(scene: Scene, seed: int):
    from sdstudio.training.world import render

    return render(scene, random.Random(seed))


def mean_absolute_difference(first, second) -> float:
    """In 0..255 units."""
    a = np.asarray(first.convert("RGB"), dtype=np.float32)
    b = np.asarray(second.convert("RGB"), dtype=np.float32)
    return float(np.abs(a - b).mean())


IMG2IMG_PAIRS = (  # (the drawn picture, what a strong img2img asks for instead)
    (
        Scene(Shape.CIRCLE, "red", Position.LEFT, "blue"),
        Scene(Shape.SQUARE, "yellow", None, "black"),
    ),
    (Scene(Shape.SQUARE, "white", Position.CENTER), Scene(Shape.TRIANGLE, "green", None, "purple")),
    (
        Scene(Shape.TRIANGLE, "black", Position.TOP, "orange"),
        Scene(Shape.CIRCLE, "blue", None, "white"),
    ),
    (
        Scene(Shape.CIRCLE, "purple", Position.RIGHT, "yellow"),
        Scene(Shape.SQUARE, "red", None, "green"),
    ),
)


def test_img2img_at_strength_0_3_keeps_the_picture(demo_model) -> None:
    differences = []
    for seed, (drawn, _) in enumerate(IMG2IMG_PAIRS):
        init = _drawn(drawn, seed)
        result = draw(demo_model, prompt_for(drawn), seed, init_image=init, strength=0.3)
        differences.append(mean_absolute_difference(result, init))

    assert max(differences) <= 20.0, [round(d, 1) for d in differences]


def test_img2img_at_strength_0_8_turns_the_picture_into_another_prompt(demo_model) -> None:
    verdicts = []
    for seed, (drawn, asked) in enumerate(IMG2IMG_PAIRS):
        init = _drawn(drawn, seed)
        result = draw(demo_model, prompt_for(asked), seed, init_image=init, strength=0.8)
        verdicts.append(judge(result, asked))
    marks = [right for verdict in verdicts for right in verdict.values()]

    assert sum(marks) / len(marks) >= 0.9, accuracy_report(verdicts)
