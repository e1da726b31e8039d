"""Inpainting gives diffusers' ``StableDiffusionInpaintPipeline`` pixels inside the mask and
keeps the init image's pixels exactly outside it (mask blur 0)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from diffusers import StableDiffusionInpaintPipeline
from PIL import Image, ImageDraw

from sdstudio.engine.generation.request import GenerationRequest
from tests.helpers import finished_images, noise_image, pixels
from tests.inpainting_models import (
    diffusers_inpainting,
    inpainting_model_from,
    max_difference_inside,
)

TOLERANCE = 2  # per pixel, out of 255
_reference = partial(diffusers_inpainting, StableDiffusionInpaintPipeline)


def _mask(size: int = 64) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rectangle((8, 16, 40, 48), fill=255)
    return mask


def _request(**settings) -> GenerationRequest:
    values = {
        "prompt": "a red square on the left",
        "negative_prompt": "blue",
        "steps": 6,
        "cfg_scale": 6.0,
        "seed": 42,
        "width": 64,
        "height": 64,
        "init_image": noise_image(64, 64, seed=8),
        "mask": _mask(),
        "mask_blur": 0,
        "strength": 0.75,
    }
    return GenerationRequest(**{**values, **settings})


@pytest.fixture(scope="module")
def inpainting_model(demo_model):
    return inpainting_model_from(demo_model)


@pytest.mark.parametrize(
    ("scheduler", "strength"), [("Default", 0.75), ("Default", 1.0), ("DPM++ 2M", 0.6)]
)
def test_an_ordinary_model_matches_diffusers_inside_the_mask(demo_model, scheduler, strength):
    request = _request(scheduler=scheduler, strength=strength)
    (ours,) = finished_images(demo_model, request)
    reference = _reference(demo_model, request, scheduler)
    assert max_difference_inside(ours, reference, request.mask) <= TOLERANCE


@pytest.mark.parametrize(("scheduler", "strength"), [("Default", 1.0), ("Euler a", 0.7)])
def test_an_inpainting_model_matches_diffusers_inside_the_mask(
    inpainting_model, scheduler, strength
):
    request = _request(scheduler=scheduler, strength=strength)
    (ours,) = finished_images(inpainting_model, request)
    reference = _reference(inpainting_model, request, scheduler)
    assert max_difference_inside(ours, reference, request.mask) <= TOLERANCE


@pytest.mark.parametrize("which", ["ordinary", "inpainting"])
def test_outside_the_mask_the_init_image_is_exact(demo_model, inpainting_model, which):
    model = demo_model if which == "ordinary" else inpainting_model
    request = _request(strength=0.9)
    (ours,) = finished_images(model, request)
    outside = np.asarray(request.mask) < 128
    assert np.array_equal(pixels(ours)[outside], pixels(request.init_image)[outside])


def test_only_masked_matches_diffusers_padding_mask_crop(demo_model) -> None:
    """A 96² picture, the crop around the mask (plus 8 px) generated at 64² and pasted back."""
    init = noise_image(96, 96, seed=4)
    mask = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(mask).ellipse((50, 40, 80, 70), fill=255)
    request = _request(
        init_image=init, mask=mask, inpaint_area="masked", mask_padding=8, strength=0.8
    )
    (ours,) = finished_images(demo_model, request)
    reference = _reference(demo_model, request, padding_mask_crop=8)
    assert ours.size == reference.size == (96, 96)
    assert max_difference_inside(ours, reference, Image.new("L", (96, 96), 255)) <= TOLERANCE
