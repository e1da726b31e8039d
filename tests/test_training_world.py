"""The demo's shapes world: pictures, prompts, and the pixel judge that checks the model."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sdstudio.training.world import (
    SIDE,
    Position,
    Scene,
    Shape,
    parse_prompt,
    position_of,
    prompt_for,
    random_scene,
    render,
)
from tests.shapes_judge import judge, look


def test_the_judge_reads_every_attribute_of_rendered_scenes() -> None:
    rng = random.Random(7)
    wrong = []
    for _ in range(300):
        scene = random_scene(rng)
        checks = judge(render(scene, rng), scene)
        if not all(checks.values()):
            wrong.append((scene, checks))
    assert wrong == [], f"{len(wrong)} misjudged, e.g. {wrong[:3]}"


def test_pictures_are_128_pixels_with_antialiased_edges() -> None:
    image = render(Scene(Shape.CIRCLE, "red", Position.CENTER, "blue"), random.Random(1))
    assert image.size == (SIDE, SIDE)
    colours = {tuple(pixel) for pixel in np.asarray(image).reshape(-1, 3)}
    assert len(colours) > 2  # blended edge pixels between red and blue


def test_an_unnamed_background_is_gray() -> None:
    seen = look(render(Scene(Shape.SQUARE, "green"), random.Random(2)))
    assert seen.background == "gray"


def test_the_same_seed_draws_the_same_picture() -> None:
    scene = Scene(Shape.TRIANGLE, "purple", Position.LEFT)
    first = np.asarray(render(scene, random.Random(3)))
    second = np.asarray(render(scene, random.Random(3)))
    assert (first == second).all()


@pytest.mark.parametrize(
    ("text", "scene"),
    [
        ("a red circle", Scene(Shape.CIRCLE, "red")),
        ("a blue square on the left", Scene(Shape.SQUARE, "blue", Position.LEFT)),
        ("a white triangle in the center", Scene(Shape.TRIANGLE, "white", Position.CENTER)),
        (
            "a black circle on the top on a yellow background",
            Scene(Shape.CIRCLE, "black", Position.TOP, "yellow"),
        ),
        ("a circle, red, at the left", Scene(Shape.CIRCLE, "red", Position.LEFT)),
        (
            "green square at the bottom, orange background",
            Scene(Shape.SQUARE, "green", Position.BOTTOM, "orange"),
        ),
    ],
)
def test_prompts_are_read_back_as_the_scene_they_ask_for(text: str, scene: Scene) -> None:
    assert parse_prompt(text) == scene


def test_every_prompt_and_paraphrase_reads_back_as_its_scene() -> None:
    rng = random.Random(11)
    for _ in range(500):
        scene = random_scene(rng)
        assert parse_prompt(prompt_for(scene, rng)) == scene
        assert parse_prompt(prompt_for(scene)) == scene


def test_positions_split_the_canvas_into_thirds() -> None:
    assert position_of(10, 64) is Position.LEFT
    assert position_of(120, 64) is Position.RIGHT
    assert position_of(64, 10) is Position.TOP
    assert position_of(64, 120) is Position.BOTTOM
    assert position_of(64, 64) is Position.CENTER
    assert position_of(10, 10) is None  # corners are no named place


def test_object_and_background_never_share_a_colour() -> None:
    with pytest.raises(ValueError, match="differ"):
        Scene(Shape.CIRCLE, "red", background="red")
