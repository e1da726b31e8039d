"""An SDXL-shaped model through our loop gives diffusers' SDXL pipelines' pictures."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from diffusers import StableDiffusionXLImg2ImgPipeline, StableDiffusionXLPipeline

from sdstudio.engine.devices import DevicePlacement
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.schedulers import make_scheduler
from sdstudio.engine.models.families import SDXL
from sdstudio.engine.models.loading import LoadedModel, load_model
from tests.helpers import finished_images, max_pixel_difference, noise_image
from tests.random_sdxl_model import build_random_sdxl_pipeline

TOLERANCE = 2  # per-pixel, out of 255


def _reference(model, pipeline_class, **config):
    pipeline = pipeline_class(**model.pipeline.components, **config)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def _diffusers_txt2img(model, request: GenerationRequest, negative_prompt: str | None):
    """``StableDiffusionXLPipeline``'s picture for ``request`` (negative ``None``: none)."""
    return _reference(model, StableDiffusionXLPipeline)(
        request.prompt,
        negative_prompt=negative_prompt,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]


def _txt2img(prompt: str, negative: str = "") -> GenerationRequest:
    return GenerationRequest(
        prompt, negative_prompt=negative, steps=5, cfg_scale=6.0, seed=77, width=64, height=96
    )


def test_an_sdxl_folder_loads_as_sdxl_at_its_native_size(sdxl_model) -> None:
    assert sdxl_model.family is SDXL
    assert sdxl_model.default_size == 256  # its UNet's sample size (32) × 8


def test_txt2img_with_an_empty_negative_matches_diffusers(sdxl_model) -> None:
    """An empty negative box is no negative: SDXL guides away from zeroed embeddings."""
    request = _txt2img("a lighthouse at night")
    (ours,) = finished_images(sdxl_model, request)
    reference = _diffusers_txt2img(sdxl_model, request, None)
    assert ours.size == (64, 96)
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_txt2img_with_a_negative_matches_diffusers(sdxl_model) -> None:
    request = _txt2img("a lighthouse at night", negative="blurry, fog")
    (ours,) = finished_images(sdxl_model, request)
    reference = _diffusers_txt2img(sdxl_model, request, request.negative_prompt)
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_the_negative_prompt_changes_the_picture(sdxl_model) -> None:
    """The two parity tests above would pass with the negative ignored; this one would not."""
    (empty,) = finished_images(sdxl_model, _txt2img("a lighthouse at night"))
    (negative,) = finished_images(sdxl_model, _txt2img("a lighthouse at night", "blurry, fog"))
    assert max_pixel_difference(empty, negative) > 10


def test_img2img_matches_diffusers(sdxl_model) -> None:
    init = noise_image(64, 64, seed=4)
    request = GenerationRequest(
        "a stone bridge",
        negative_prompt="people",
        steps=8,
        cfg_scale=5.0,
        seed=12,
        width=64,
        height=64,
        init_image=init,
        strength=0.6,
    )
    (ours,) = finished_images(sdxl_model, request)
    reference = _reference(sdxl_model, StableDiffusionXLImg2ImgPipeline)(
        request.prompt,
        negative_prompt=request.negative_prompt,
        image=init,
        strength=request.strength,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_a_refiner_folder_does_img2img_with_aesthetic_score_ids(sdxl_refiner) -> None:
    """A refiner has only the second text encoder and conditions on an aesthetic score."""
    init = noise_image(64, 64, seed=5)
    request = GenerationRequest(
        "a stone bridge",
        steps=6,
        cfg_scale=5.0,
        seed=3,
        width=64,
        height=64,
        init_image=init,
        strength=0.5,
    )
    (ours,) = finished_images(sdxl_refiner, request)
    reference = _reference(
        sdxl_refiner,
        StableDiffusionXLImg2ImgPipeline,
        requires_aesthetics_score=True,
        force_zeros_for_empty_prompt=False,
    )(
        request.prompt,
        image=init,
        strength=request.strength,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]
    assert sdxl_refiner.family is SDXL
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_a_refiner_alone_refuses_txt2img_with_a_clear_message(sdxl_refiner) -> None:
    with pytest.raises(RequestError, match="SDXL refiner.*cannot start one from noise"):
        finished_images(sdxl_refiner, _txt2img("a lighthouse"))


def test_a_guidance_distilled_unet_gets_the_scale_as_an_embedding(tmp_path) -> None:
    """LCM-style UNets (``time_cond_proj_dim``) run without a negative half, as diffusers."""
    folder = tmp_path / "tiny-sdxl-lcm"
    build_random_sdxl_pipeline(guidance_embedding=16).save_pretrained(folder)
    model = load_model(str(folder), device="cpu")
    request = _txt2img("a lighthouse at night", negative="blurry")
    (ours,) = finished_images(model, request)
    (other_scale,) = finished_images(model, replace(request, cfg_scale=2.0))
    reference = _diffusers_txt2img(model, request, request.negative_prompt)
    assert max_pixel_difference(ours, reference) <= TOLERANCE
    assert (
        max_pixel_difference(ours, other_scale) > 0
    )  # the scale still steers it (weakly: random weights)


@pytest.mark.parametrize("scheduler", ["Default", "Heun"])
def test_the_refiner_handoff_matches_diffusers_ensemble_of_experts(
    sdxl_model, sdxl_refiner, scheduler: str
) -> None:
    """The base stops at the switch and the refiner finishes the same latents, with
    diffusers' ``denoising_end``/``denoising_start`` (Heun: a second-order scheduler)."""
    request = GenerationRequest(
        "a lighthouse at night",
        negative_prompt="blurry",
        steps=10,
        cfg_scale=5.0,
        seed=21,
        width=64,
        height=64,
        scheduler=scheduler,
        refiner="tiny-sdxl-refiner",
        refiner_switch=0.7,
    )
    (ours,) = [
        event.image
        for event in generate(sdxl_model, request, refiner=sdxl_refiner)
        if isinstance(event, ImageFinished)
    ]
    generator = torch.Generator("cpu").manual_seed(request.seed)
    common = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "num_inference_steps": request.steps,
        "guidance_scale": request.cfg_scale,
        "generator": generator,
    }
    base = _reference(sdxl_model, StableDiffusionXLPipeline)
    base.scheduler = make_scheduler(sdxl_model.pipeline.scheduler, scheduler)
    latents = base(
        **common,
        width=request.width,
        height=request.height,
        denoising_end=request.refiner_switch,
        output_type="latent",
    ).images
    refiner = _reference(
        sdxl_refiner,
        StableDiffusionXLImg2ImgPipeline,
        requires_aesthetics_score=True,
        force_zeros_for_empty_prompt=False,
    )
    refiner.scheduler = make_scheduler(sdxl_refiner.pipeline.scheduler, scheduler)
    reference = refiner(**common, image=latents, denoising_start=request.refiner_switch).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_the_refiner_changes_the_picture(sdxl_model, sdxl_refiner) -> None:
    request = _txt2img("a lighthouse at night")
    (alone,) = finished_images(sdxl_model, request)
    refined = replace(request, refiner="tiny-sdxl-refiner", refiner_switch=0.5)
    (handed_over,) = [
        event.image
        for event in generate(sdxl_model, refined, refiner=sdxl_refiner)
        if isinstance(event, ImageFinished)
    ]
    assert max_pixel_difference(alone, handed_over) > 10


@pytest.fixture(scope="module")
def sdxl_fp16():
    """The tiny SDXL in float16 on the CPU (as on a GPU), its VAE saying ``force_upcast``."""
    pipeline = build_random_sdxl_pipeline().to(torch.float16)
    placement = DevicePlacement(torch.device("cpu"), torch.float16)
    return LoadedModel(pipeline, "tiny-sdxl-fp16", "", placement, SDXL)


def test_an_fp16_vae_that_says_force_upcast_decodes_in_float32(sdxl_fp16, monkeypatch) -> None:
    vae = sdxl_fp16.pipeline.vae
    seen: list[torch.dtype] = []
    decode = vae.decode
    monkeypatch.setattr(vae, "decode", lambda z, **kw: seen.append(z.dtype) or decode(z, **kw))
    finished_images(sdxl_fp16, _txt2img("a lighthouse at night"))
    assert seen == [torch.float32]
    assert vae.dtype == torch.float16  # back to what it was


@pytest.mark.parametrize("img2img", [False, True])
def test_fp16_with_the_vae_upcast_matches_diffusers(sdxl_fp16, img2img: bool) -> None:
    init = noise_image(64, 64, seed=6)
    request = GenerationRequest(
        "a stone bridge",
        negative_prompt="people",
        steps=5,
        cfg_scale=5.0,
        seed=8,
        width=64,
        height=64,
        init_image=init if img2img else None,
        strength=0.6,
    )
    (ours,) = finished_images(sdxl_fp16, request)
    pipeline_class = StableDiffusionXLImg2ImgPipeline if img2img else StableDiffusionXLPipeline
    extra = (
        {"image": init, "strength": request.strength} if img2img else {"width": 64, "height": 64}
    )
    reference = _reference(sdxl_fp16, pipeline_class)(
        request.prompt,
        negative_prompt=request.negative_prompt,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        generator=torch.Generator("cpu").manual_seed(request.seed),
        **extra,
    ).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE
