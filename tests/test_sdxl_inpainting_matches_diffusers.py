"""SDXL inpainting gives ``StableDiffusionXLInpaintPipeline``'s pixels inside the mask, for an
ordinary SDXL model (latent blending) and a 9-channel SDXL inpainting UNet."""

from __future__ import annotations

from functools import partial

import pytest
from diffusers import StableDiffusionXLInpaintPipeline
from PIL import Image, ImageDraw

from sdstudio.engine.generation.request import GenerationRequest
from tests.helpers import finished_images, noise_image
from tests.inpainting_models import (
    diffusers_inpainting,
    inpainting_model_from,
    max_difference_inside,
)

TOLERANCE = 2
_reference = partial(diffusers_inpainting, StableDiffusionXLInpaintPipeline)


def _request(strength: float) -> GenerationRequest:
    mask = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(mask).ellipse((10, 10, 50, 44), fill=255)
    return GenerationRequest(
        "a red square",
        negative_prompt="blue",
        steps=5,
        cfg_scale=6.0,
        seed=11,
        width=64,
        height=64,
        init_image=noise_image(64, 64, seed=2),
        mask=mask,
        mask_blur=0,
        strength=strength,
    )


@pytest.mark.parametrize("strength", [1.0, 0.7])
def test_an_ordinary_sdxl_model_matches_diffusers_inside_the_mask(sdxl_model, strength) -> None:
    request = _request(strength)
    (ours,) = finished_images(sdxl_model, request)
    assert max_difference_inside(ours, _reference(sdxl_model, request), request.mask) <= TOLERANCE


def test_an_sdxl_inpainting_unet_matches_diffusers_inside_the_mask(sdxl_model) -> None:
    model = inpainting_model_from(sdxl_model)
    request = _request(0.8)
    (ours,) = finished_images(model, request)
    assert max_difference_inside(ours, _reference(model, request), request.mask) <= TOLERANCE
