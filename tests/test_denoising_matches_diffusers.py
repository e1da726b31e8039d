"""Same model, scheduler, seed and settings give the same image as diffusers' own pipelines."""

from __future__ import annotations

import pytest
import torch
from diffusers import StableDiffusionImg2ImgPipeline, StableDiffusionPipeline

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.schedulers import make_scheduler
from tests.helpers import finished_images, max_pixel_difference, noise_image

TOLERANCE = 2  # per-pixel, out of 255


def _diffusers_pipeline(demo_model, pipeline_class, scheduler_name):
    components = dict(demo_model.pipeline.components)
    components["scheduler"] = make_scheduler(demo_model.pipeline.scheduler, scheduler_name)
    pipeline = pipeline_class(**components)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


@pytest.mark.parametrize("scheduler", ["Default", "Euler a", "DPM++ 2M Karras", "Heun"])
def test_txt2img_matches_diffusers(demo_model, scheduler: str) -> None:
    request = GenerationRequest(
        "a red fox in the snow",
        negative_prompt="blurry",
        steps=5,
        cfg_scale=7.5,
        seed=1234,
        width=64,
        height=96,
        scheduler=scheduler,
    )
    (ours,) = finished_images(demo_model, request)
    reference = _diffusers_pipeline(demo_model, StableDiffusionPipeline, scheduler)(
        request.prompt,
        negative_prompt=request.negative_prompt,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]
    assert ours.size == (64, 96)
    assert max_pixel_difference(ours, reference) <= TOLERANCE


@pytest.mark.parametrize("scheduler", ["Default", "Euler a", "DDIM", "DPM++ 2M"])
def test_img2img_matches_diffusers(demo_model, scheduler: str) -> None:
    init = noise_image(64, 64, seed=3)
    request = GenerationRequest(
        "a castle on a hill",
        steps=8,
        cfg_scale=5.0,
        seed=99,
        width=64,
        height=64,
        scheduler=scheduler,
        init_image=init,
        strength=0.6,
    )
    (ours,) = finished_images(demo_model, request)
    reference = _diffusers_pipeline(demo_model, StableDiffusionImg2ImgPipeline, scheduler)(
        request.prompt,
        image=init,
        strength=request.strength,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_without_guidance_matches_diffusers(demo_model) -> None:
    """CFG scale 1 runs the UNet on the prompt alone, as diffusers does."""
    request = GenerationRequest("stars", steps=4, cfg_scale=1.0, seed=5, width=64, height=64)
    (ours,) = finished_images(demo_model, request)
    reference = _diffusers_pipeline(demo_model, StableDiffusionPipeline, "Default")(
        "stars",
        num_inference_steps=4,
        guidance_scale=1.0,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(5),
    ).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE
