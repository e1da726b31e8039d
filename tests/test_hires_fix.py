"""The hires fix on the demo model: A1111's composition of txt2img, upscale and img2img, the
hires size, the step events of both passes, and what it refuses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.controlnet.extension import ControlNetExtension, LoadedUnit
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.generation.hires_target import hires_target
from sdstudio.engine.generation.request import GenerationRequest
from tests.helpers import finished_images, max_pixel_difference, noise_image, pixels, run_events
from tests.random_controlnet import build_random_controlnet

BASE = GenerationRequest(
    "a red circle on a blue background",
    steps=6,
    width=64,
    height=64,
    seed=7,
    scheduler="Euler",
)
HIRES = dataclasses.replace(BASE, hires_scale=2.0, hires_steps=4, hires_denoise=0.5)


def finished_images_of(events: list) -> list[Image.Image]:
    return [event.image for event in events if isinstance(event, ImageFinished)]


def test_a_lanczos_hires_fix_is_txt2img_then_lanczos_then_img2img(demo_model) -> None:
    """The composition, stated: hires(seed s) = img2img(lanczos(txt2img(seed s)), seed s) at
    the hires size, whose schedule is A1111's ``int(hires_steps / denoise)`` = 8 steps at
    strength 0.5 (so it runs the last 4), the same prompt and sampler."""
    (hires,) = finished_images(demo_model, dataclasses.replace(HIRES, hires_upscaler="Lanczos"))
    (first,) = finished_images(demo_model, BASE)
    upscaled = first.resize((128, 128), Image.Resampling.LANCZOS)
    img2img = dataclasses.replace(
        BASE, width=128, height=128, steps=8, init_image=upscaled, strength=0.5
    )
    (expected,) = finished_images(demo_model, img2img)
    assert hires.size == (128, 128)
    assert max_pixel_difference(hires, expected) <= 2


def test_a_latent_hires_fix_gives_the_hires_size_and_another_picture(demo_model) -> None:
    (latent,) = finished_images(demo_model, dataclasses.replace(HIRES, hires_upscaler="Latent"))
    (lanczos,) = finished_images(demo_model, dataclasses.replace(HIRES, hires_upscaler="Lanczos"))
    assert latent.size == (128, 128)
    assert np.abs(pixels(latent) - pixels(lanczos)).mean() > 2  # not re-encoded: not the same


def test_the_step_events_number_both_passes_as_one_run(demo_model) -> None:
    request = dataclasses.replace(HIRES, hires_upscaler="Latent")
    steps = [event for event in run_events(demo_model, request) if isinstance(event, StepEvent)]
    assert [event.step for event in steps] == list(range(1, 11))
    assert {event.total for event in steps} == {10} == {request.effective_steps}
    sides = [tuple(event.latents.shape[-2:]) for event in steps]
    assert sides == [(8, 8)] * 6 + [(16, 16)] * 4


@pytest.mark.parametrize(("hires_steps", "denoise", "runs"), [(3, 0.4, 3), (0, 0.3, 6), (4, 0, 0)])
def test_the_hires_pass_runs_its_steps_as_a1111(demo_model, hires_steps, denoise, runs) -> None:
    """A1111 runs the hires steps whatever the strength (3 of a schedule of int(3 / 0.4) = 7,
    where img2img's rule would run int(7 × 0.4) = 2), the first pass's count for 0, none at
    strength 0."""
    request = dataclasses.replace(
        HIRES,
        width=32,
        height=32,
        hires_upscaler="Latent",
        hires_steps=hires_steps,
        hires_denoise=denoise,
    )
    events = run_events(demo_model, request)
    steps = [event for event in events if isinstance(event, StepEvent)]
    assert len(steps) == BASE.steps + runs == request.effective_steps
    assert [image.size for image in finished_images_of(events)] == [(64, 64)]


def test_each_image_of_a_batch_is_the_one_its_seed_gives_alone(demo_model) -> None:
    small = dataclasses.replace(
        HIRES, width=32, height=32, steps=3, hires_steps=2, hires_upscaler="Lanczos"
    )
    together = finished_images(demo_model, dataclasses.replace(small, batch_size=2))
    alone = [finished_images(demo_model, dataclasses.replace(small, seed=s))[0] for s in (7, 8)]
    differences = [max_pixel_difference(a, b) for a, b in zip(together, alone, strict=True)]
    assert max(differences) <= 2  # a batched UNet call may round differently from a lone one
    assert max_pixel_difference(*together) > 20  # each from its own seed


def test_a_resize_to_both_sides_is_covered_then_cropped(demo_model) -> None:
    """A1111: 64×32 resized to 96×96 is upscaled to cover it (192×96) and cropped, centred."""
    request = dataclasses.replace(
        HIRES, height=32, hires_upscaler="Latent", hires_resize_x=96, hires_resize_y=96
    )
    (image,) = finished_images(demo_model, request)
    assert image.size == (96, 96) == request.final_size


@pytest.mark.parametrize(
    ("first", "hires", "expected"),
    [
        ((512, 512, 2.0, 0, 0), (1024, 1024), (1024, 1024)),
        ((512, 768, 1.5, 0, 0), (768, 1152), (768, 1152)),
        ((512, 512, 1.3, 0, 0), (664, 664), (664, 664)),  # int(665.6) down to a multiple of 8
        ((512, 768, 2.0, 1000, 0), (1000, 1496), (1000, 1496)),  # 1500 down to 1496
        ((512, 768, 2.0, 0, 1024), (680, 1024), (680, 1024)),  # 682 down to 680
        ((512, 768, 2.0, 1024, 1024), (1024, 1536), (1024, 1024)),  # covered, then cropped
    ],
)
def test_the_hires_size_is_a1111s(first, hires, expected) -> None:
    target = hires_target(*first)
    assert (target.upscaled_width, target.upscaled_height) == hires
    assert (target.width, target.height) == expected


def test_a_controlnet_shapes_the_first_pass_and_the_run_ends_at_the_hires_size(
    demo_model,
) -> None:
    """The control image has the first pass's size, so the unit acts on those steps only."""
    controlnet = build_random_controlnet(demo_model.pipeline.unet)
    unit = ControlUnit("tiny", noise_image(64, 64, seed=11), weight=1.0)
    extension = ControlNetExtension([LoadedUnit(unit, controlnet)])
    request = dataclasses.replace(HIRES, hires_upscaler="Latent")
    events = list(generate(demo_model, request, extensions=[extension]))
    (controlled,) = finished_images_of(events)
    (plain,) = finished_images(demo_model, request)
    assert controlled.size == (128, 128)
    assert max_pixel_difference(controlled, plain) > 10


def test_the_hires_fix_with_an_init_image_is_refused() -> None:
    with pytest.raises(RequestError, match="The hires fix is for txt2img"):
        dataclasses.replace(BASE, hires_upscaler="Latent", init_image=noise_image(64, 64))


def test_a_hires_size_beyond_the_largest_side_is_refused() -> None:
    with pytest.raises(RequestError, match="The hires size 5120×5120 must be between 8 and 4096"):
        GenerationRequest("a fox", width=1024, height=1024, hires_upscaler="Latent", hires_scale=5)
