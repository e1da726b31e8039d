"""With the trained demo, what a learner inspects means something: the shape word's attention
lies where the prompt places the shape and where it is drawn, and live previews go from a blur
to the final picture."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.probes.outputs import AttentionMaps
from sdstudio.training.world import SIDE, Scene, position_of, prompt_for, random_scene
from tests.shapes_judge import look


def _request(prompt: str, seed: int) -> GenerationRequest:
    return GenerationRequest(prompt, seed=seed, steps=20, cfg_scale=7.0, width=128, height=128)


def _payloads(model, job: Job) -> list:
    return [event.payload for event in run_job(model, job)]


def centre_of_mass(heat: np.ndarray) -> tuple[float, float]:
    """(x, y) as fractions of the width and height."""
    rows, columns = np.indices(heat.shape)
    total = float(heat.sum())
    x = float((heat * (columns + 0.5)).sum()) / total / heat.shape[1]
    y = float((heat * (rows + 0.5)).sum()) / total / heat.shape[0]
    return x, y


def _object_centre(image: Image.Image) -> tuple[float, float] | None:
    """The drawn shape's centroid as fractions of the width and height (None: no shape)."""
    seen = look(image)
    if seen.centroid is None:
        return None
    return seen.centroid[0] / image.width, seen.centroid[1] / image.height


@pytest.fixture(scope="module")
def attention_centres(demo_model) -> list[tuple[Scene, tuple[float, float], tuple | None]]:
    """For 20 prompts that name a position: the scene, the centre of mass of the shape
    word's map, and the drawn shape's centroid (fractions of the width and height)."""
    rng = random.Random(7)
    scenes: list[Scene] = [random_scene(rng, named_position=1.0) for _ in range(20)]
    centres = []
    for seed, scene in enumerate(scenes):
        job = Job(
            _request(prompt_for(scene), seed),
            probes=ProbeOptions(attention=True),
            saving=SaveOptions(enabled=False),
        )
        payloads = _payloads(demo_model, job)
        [maps] = [p.maps for p in payloads if isinstance(p, AttentionMaps)]
        [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
        centres.append(
            (scene, centre_of_mass(maps.heat(scene.shape.value)), _object_centre(saved.image))
        )
    return centres


def test_the_shape_word_is_attended_to_where_the_shape_is_drawn(attention_centres) -> None:
    """The map's centre of mass lies on the shape's side of the picture's centre."""
    right = []
    for _, (x, y), shape in attention_centres:
        towards = shape is not None and (x - 0.5) * (shape[0] - 0.5) + (y - 0.5) * (shape[1] - 0.5)
        right.append(bool(towards and towards > 0))

    assert sum(right) >= 17, f"{sum(right)}/20 maps on the shape's side"


def test_the_shape_word_is_attended_to_in_the_part_the_prompt_names(attention_centres) -> None:
    """Left, right, top, bottom or center: the map's centre of mass lies in that third."""
    found = [position_of(x * SIDE, y * SIDE) for _, (x, y), _ in attention_centres]
    asked = [scene.position for scene, _, _ in attention_centres]
    right = sum(f is a for f, a in zip(found, asked, strict=True))

    assert right >= 17, f"{right}/20 maps in the named part: {asked} against {found}"


def psnr(first: Image.Image, second: Image.Image) -> float:
    """dB, pixels in [0, 1]."""
    a = np.asarray(first.convert("RGB"), dtype=np.float64) / 255
    b = np.asarray(second.convert("RGB"), dtype=np.float64) / 255
    return 10 * math.log10(1 / max(float(((a - b) ** 2).mean()), 1e-12))


def _previews_and_result(model) -> tuple[list[Image.Image], Image.Image]:
    job = Job(
        _request("a yellow square on the right on a purple background", 3),
        previews=PreviewSettings(PreviewKind.LATENT),
        saving=SaveOptions(enabled=False),
    )
    payloads = _payloads(model, job)
    previews = [p.image for p in payloads if isinstance(p, PreviewImage)]
    [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
    return previews, saved.image


def _at_latent_size(image: Image.Image) -> Image.Image:
    return image.convert("RGB").resize((16, 16), Image.Resampling.BOX)


def test_previews_go_from_a_blur_to_the_picture(demo_model) -> None:
    previews, result = _previews_and_result(demo_model)
    target = _at_latent_size(result)
    first, middle, last = (
        psnr(_at_latent_size(p), target) for p in (previews[0], previews[9], previews[-1])
    )
    assert first < middle < last, (first, middle, last)
