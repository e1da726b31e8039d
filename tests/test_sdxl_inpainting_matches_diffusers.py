"""SDXL inpainting gives ``StableDiffusionXLInpaintPipeline``'s pixels inside the mask, for an
ordinary SDXL model (latent blending) and a 9-channel SDXL inpainting UNet."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionXLInpaintPipeline
from PIL import Image, ImageDraw

from sdstudio.engine.generation.request import GenerationRequest
from tests.helpers import finished_images, noise_image, pixels
from tests.inpainting_models import inpainting_model_from

TOLERANCE = 2


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


def _reference(model, request: GenerationRequest) -> Image.Image:
    pipeline = StableDiffusionXLInpaintPipeline(**model.pipeline.components)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline(
        request.prompt,
        negative_prompt=request.negative_prompt,
        image=request.init_image,
        mask_image=request.mask,
        strength=request.strength,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]


def _inside_difference(ours: Image.Image, reference: Image.Image, mask: Image.Image) -> int:
    inside = np.asarray(mask) >= 128
    return int(np.abs(pixels(ours).astype(int) - pixels(reference).astype(int))[inside].max())


@pytest.mark.parametrize("strength", [1.0, 0.7])
def test_an_ordinary_sdxl_model_matches_diffusers_inside_the_mask(sdxl_model, strength) -> None:
    request = _request(strength)
    (ours,) = finished_images(sdxl_model, request)
    assert _inside_difference(ours, _reference(sdxl_model, request), request.mask) <= TOLERANCE


def test_an_sdxl_inpainting_unet_matches_diffusers_inside_the_mask(sdxl_model) -> None:
    model = inpainting_model_from(sdxl_model)
    request = _request(0.8)
    (ours,) = finished_images(model, request)
    assert _inside_difference(ours, _reference(model, request), request.mask) <= TOLERANCE
