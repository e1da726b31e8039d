"""With the trained demo, what a learner inspects means something: the shape word's attention
lies where the shape is drawn, and live previews go from a blur to the final picture."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.probes.outputs import AttentionMaps
from sdstudio.training.world import Position, Scene, prompt_for, random_scene


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


def on_the_side_of(position: Position, x: float, y: float) -> bool:
    """Left/right/top/bottom: the named half. Center: the middle third both ways."""
    return {
        Position.LEFT: x < 0.5,
        Position.RIGHT: x > 0.5,
        Position.TOP: y < 0.5,
        Position.BOTTOM: y > 0.5,
        Position.CENTER: 1 / 3 <= x <= 2 / 3 and 1 / 3 <= y <= 2 / 3,
    }[position]


def test_the_shape_word_is_attended_to_where_the_prompt_puts_the_shape(demo_model) -> None:
    rng = random.Random(7)
    scenes: list[Scene] = [random_scene(rng, named_position=1.0) for _ in range(20)]
    right = []
    for seed, scene in enumerate(scenes):
        job = Job(
            _request(prompt_for(scene), seed),
            probes=ProbeOptions(attention=True),
            saving=SaveOptions(enabled=False),
        )
        [maps] = [p.maps for p in _payloads(demo_model, job) if isinstance(p, AttentionMaps)]
        assert scene.position is not None
        right.append(on_the_side_of(scene.position, *centre_of_mass(maps.heat(scene.shape.value))))

    assert sum(right) >= 17, f"{sum(right)}/20 maps on the shape's side"


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


def test_the_last_latent_preview_matches_the_decoded_picture(demo_model) -> None:
    previews, result = _previews_and_result(demo_model)
    quality = psnr(_at_latent_size(previews[-1]), _at_latent_size(result))
    assert quality >= 20.0, f"last preview vs decode: PSNR {quality:.1f} dB"


def test_previews_go_from_a_blur_to_the_picture(demo_model) -> None:
    previews, result = _previews_and_result(demo_model)
    target = _at_latent_size(result)
    first, middle, last = (
        psnr(_at_latent_size(p), target) for p in (previews[0], previews[9], previews[-1])
    )
    assert first < middle < last, (first, middle, last)
