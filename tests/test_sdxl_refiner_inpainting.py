"""Inpainting with an SDXL refiner gives diffusers' ensemble of experts for inpainting: the base's
``StableDiffusionXLInpaintPipeline`` stopped at ``denoising_end`` with latents out, and the
refiner's inpaint pipeline given those latents as its picture from ``denoising_start``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionXLInpaintPipeline
from PIL import Image, ImageDraw

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.schedulers import make_scheduler
from tests.helpers import max_pixel_difference, noise_image, pixels
from tests.inpainting_models import inpainting_model_from, max_difference_inside

TOLERANCE = 2


def _request(strength: float, scheduler: str = "Default") -> GenerationRequest:
    mask = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(mask).ellipse((12, 8, 52, 46), fill=255)
    return GenerationRequest(
        "a red square",
        negative_prompt="blue",
        steps=8,
        cfg_scale=6.0,
        seed=5,
        width=64,
        height=64,
        init_image=noise_image(64, 64, seed=3),
        mask=mask,
        mask_blur=0,
        strength=strength,
        scheduler=scheduler,
        refiner="tiny-sdxl-refiner",
        refiner_switch=0.6,
    )


def _ours(model, refiner, request: GenerationRequest) -> Image.Image:
    (image,) = [
        event.image
        for event in generate(model, request, refiner=refiner)
        if isinstance(event, ImageFinished)
    ]
    return image


def _inpaint_pipeline(model, scheduler: str, **config) -> StableDiffusionXLInpaintPipeline:
    components = dict(model.pipeline.components)
    components["scheduler"] = make_scheduler(model.pipeline.scheduler, scheduler)
    components.pop("image_encoder", None)
    pipeline = StableDiffusionXLInpaintPipeline(**components, **config)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def _diffusers(model, refiner, request: GenerationRequest) -> Image.Image:
    """diffusers' documented inpainting ensemble, with one generator for both pipelines."""
    common = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "mask_image": request.mask,
        "num_inference_steps": request.steps,
        "guidance_scale": request.cfg_scale,
        "width": request.width,
        "height": request.height,
        "generator": torch.Generator("cpu").manual_seed(request.seed),
    }
    latents = _inpaint_pipeline(model, request.scheduler)(
        **common,
        image=request.init_image,
        strength=request.strength,
        denoising_end=request.refiner_switch,
        output_type="latent",
    ).images
    finisher = _inpaint_pipeline(
        refiner,
        request.scheduler,
        requires_aesthetics_score=True,
        force_zeros_for_empty_prompt=False,
    )
    return finisher(**common, image=latents, denoising_start=request.refiner_switch).images[0]


@pytest.mark.parametrize(
    ("strength", "scheduler"), [(1.0, "Default"), (0.7, "Default"), (1.0, "Euler a")]
)
def test_an_ordinary_base_and_the_refiner_match_diffusers_inside_the_mask(
    sdxl_model, sdxl_refiner, strength: float, scheduler: str
) -> None:
    """Euler a: the refiner's noise is drawn between the base's and its own ancestral draws."""
    request = _request(strength, scheduler)
    ours = _ours(sdxl_model, sdxl_refiner, request)
    reference = _diffusers(sdxl_model, sdxl_refiner, request)
    assert max_difference_inside(ours, reference, request.mask) <= TOLERANCE


def test_an_inpainting_base_and_the_refiner_match_diffusers_inside_the_mask(
    sdxl_model, sdxl_refiner
) -> None:
    base = inpainting_model_from(sdxl_model)
    request = _request(0.8)
    ours = _ours(base, sdxl_refiner, request)
    reference = _diffusers(base, sdxl_refiner, request)
    assert max_difference_inside(ours, reference, request.mask) <= TOLERANCE


def test_the_refiner_changes_the_masked_part_and_nothing_outside(sdxl_model, sdxl_refiner) -> None:
    request = _request(1.0)
    refined = _ours(sdxl_model, sdxl_refiner, request)
    alone = _ours(sdxl_model, None, replace(request, refiner=None))
    outside = np.asarray(request.mask) == 0
    assert np.array_equal(pixels(refined)[outside], pixels(request.init_image)[outside])
    assert max_difference_inside(refined, alone, request.mask) > 10


def test_an_inpainting_model_as_the_refiner_is_refused_with_a_message(sdxl_model) -> None:
    inpainting = inpainting_model_from(sdxl_model)
    with pytest.raises(RequestError, match="inpainting model cannot be the refiner"):
        _ours(sdxl_model, inpainting, _request(1.0))


def test_each_picture_of_a_refined_inpainting_batch_is_the_one_its_seed_gives_alone(
    sdxl_model, sdxl_refiner
) -> None:
    request = _request(0.7, "Euler a")
    batch = [
        event.image
        for event in generate(sdxl_model, replace(request, batch_size=2), refiner=sdxl_refiner)
        if isinstance(event, ImageFinished)
    ]
    alone = [
        _ours(sdxl_model, sdxl_refiner, replace(request, seed=request.seed + i)) for i in (0, 1)
    ]
    # a batched UNet call may round differently from a lone one
    assert all(max_pixel_difference(a, b) <= TOLERANCE for a, b in zip(batch, alone, strict=True))
    assert max_pixel_difference(batch[0], batch[1]) > 20  # and they are different pictures
