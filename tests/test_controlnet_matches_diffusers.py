"""ControlNet units through our loop give diffusers' ControlNet pipelines' pictures.

The ControlNets are tiny random ones built from the test models' UNets
(``tests/random_controlnet.py``); ``test_the_controlnet_changes_the_picture`` shows they
steer the picture, so the parity tests could not pass with the ControlNet ignored.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect

import pytest
import torch
from diffusers import (
    StableDiffusionControlNetImg2ImgPipeline,
    StableDiffusionControlNetPipeline,
    StableDiffusionXLControlNetPipeline,
    StableDiffusionXLImg2ImgPipeline,
)
from diffusers.models.controlnets.multicontrolnet import MultiControlNetModel
from PIL import Image

from sdstudio.engine.generation.controlnet.extension import ControlNetExtension, LoadedUnit
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from tests.helpers import max_pixel_difference, noise_image
from tests.random_controlnet import build_random_controlnet

TOLERANCE = 2  # per-pixel, out of 255
CONTROL = noise_image(48, 48, seed=11)  # not the run's size: it is resized as diffusers does
SECOND_CONTROL = noise_image(64, 64, seed=12)


@pytest.fixture(scope="module")
def demo_controlnets(demo_model):
    unet = demo_model.pipeline.unet
    return build_random_controlnet(unet, seed=1), build_random_controlnet(unet, seed=2)


@pytest.fixture(scope="module")
def sdxl_controlnet(sdxl_model):
    return build_random_controlnet(sdxl_model.pipeline.unet, seed=3)


def _ours(
    model, request: GenerationRequest, *units: tuple[ControlUnit, object]
) -> list[Image.Image]:
    extension = ControlNetExtension([LoadedUnit(unit, controlnet) for unit, controlnet in units])
    events = generate(model, request, extensions=[extension])
    return [event.image for event in events if isinstance(event, ImageFinished)]


def _reference(model, pipeline_class, controlnet, **config):
    accepted = inspect.signature(pipeline_class.__init__).parameters
    components = {k: v for k, v in model.pipeline.components.items() if k in accepted}
    pipeline = pipeline_class(**components, controlnet=controlnet, **config)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def _txt2img(**changes) -> GenerationRequest:
    settings = dict(
        prompt="a red circle on a blue square",
        negative_prompt="blurry",
        steps=5,
        cfg_scale=7.0,
        seed=31,
        width=64,
        height=64,
    )
    return GenerationRequest(**{**settings, **changes})


def _diffusers_txt2img(model, controlnet, request: GenerationRequest, image, **control):
    pipeline_class = StableDiffusionControlNetPipeline
    config = {}
    if model.family.name == "sdxl":
        pipeline_class, config = StableDiffusionXLControlNetPipeline, {"add_watermarker": False}
    return _reference(model, pipeline_class, controlnet, **config)(
        request.prompt,
        negative_prompt=request.negative_prompt,
        image=image,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
        **control,
    ).images[0]


@pytest.mark.parametrize(("weight", "start", "end"), [(0.7, 0.0, 1.0), (1.0, 0.2, 0.8)])
def test_txt2img_matches_diffusers(demo_model, demo_controlnets, weight, start, end) -> None:
    controlnet = demo_controlnets[0]
    request = _txt2img()
    unit = ControlUnit("tiny", CONTROL, weight=weight, start=start, end=end)
    (ours,) = _ours(demo_model, request, (unit, controlnet))
    reference = _diffusers_txt2img(
        demo_model,
        controlnet,
        request,
        CONTROL,
        controlnet_conditioning_scale=weight,
        control_guidance_start=start,
        control_guidance_end=end,
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_the_controlnet_changes_the_picture(demo_model, demo_controlnets) -> None:
    """Without this, the parity tests would pass with the ControlNet (or its weight, its
    steps, its mode) ignored."""
    request = _txt2img()
    (plain,) = _ours(demo_model, request)
    pictures = {
        name: _ours(
            demo_model, request, (ControlUnit("tiny", CONTROL, **unit), demo_controlnets[0])
        )[0]
        for name, unit in {
            "full": {},
            "weight": {"weight": 0.7},
            "steps": {"start": 0.2, "end": 0.8},
            "prompt": {"mode": "prompt"},
            "controlnet": {"mode": "controlnet"},
        }.items()
    }
    assert max_pixel_difference(plain, pictures["full"]) > 30
    for name in ("weight", "steps", "prompt", "controlnet"):
        assert max_pixel_difference(pictures["full"], pictures[name]) > 10, name
    assert max_pixel_difference(pictures["prompt"], pictures["controlnet"]) > 10


def test_controlnet_is_more_important_is_diffusers_guess_mode(demo_model, demo_controlnets) -> None:
    """The ControlNet sees the prompt's half only, with diffusers' guess-mode scales."""
    controlnet = demo_controlnets[0]
    request = _txt2img()
    unit = ControlUnit("tiny", CONTROL, weight=0.8, mode="controlnet")
    (ours,) = _ours(demo_model, request, (unit, controlnet))
    reference = _diffusers_txt2img(
        demo_model, controlnet, request, CONTROL, controlnet_conditioning_scale=0.8, guess_mode=True
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_my_prompt_is_more_important_scales_both_halves(demo_model, demo_controlnets) -> None:
    """A1111's soft injection alone: diffusers' guess-mode scales, but the ControlNet runs on
    both guidance halves (diffusers' pipeline without ``guess_mode`` around a ControlNet that
    always scales as in guess mode)."""
    controlnet = demo_controlnets[0]
    soft = copy.deepcopy(controlnet)
    soft.forward = functools.partial(_always_guessing, soft)
    request = _txt2img()
    unit = ControlUnit("tiny", CONTROL, weight=0.8, mode="prompt")
    (ours,) = _ours(demo_model, request, (unit, controlnet))
    reference = _diffusers_txt2img(
        demo_model, soft, request, CONTROL, controlnet_conditioning_scale=0.8
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def _always_guessing(controlnet, *args, **kwargs):
    kwargs["guess_mode"] = True
    return type(controlnet).forward(controlnet, *args, **kwargs)


def test_without_guidance_matches_diffusers(demo_model, demo_controlnets) -> None:
    controlnet = demo_controlnets[0]
    request = _txt2img(cfg_scale=1.0)
    unit = ControlUnit("tiny", CONTROL, weight=0.7, mode="controlnet")
    (ours,) = _ours(demo_model, request, (unit, controlnet))
    reference = _diffusers_txt2img(
        demo_model, controlnet, request, CONTROL, controlnet_conditioning_scale=0.7, guess_mode=True
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_img2img_matches_diffusers(demo_model, demo_controlnets) -> None:
    """The control image is separate from the init image; start and end count the steps
    left after the strength's cut."""
    controlnet = demo_controlnets[0]
    init = noise_image(64, 64, seed=13)
    request = _txt2img(steps=8, cfg_scale=5.0, init_image=init, strength=0.7)
    unit = ControlUnit("tiny", CONTROL, weight=0.7, start=0.2, end=0.8)
    (ours,) = _ours(demo_model, request, (unit, controlnet))
    reference = _reference(demo_model, StableDiffusionControlNetImg2ImgPipeline, controlnet)(
        request.prompt,
        negative_prompt=request.negative_prompt,
        image=init,
        control_image=CONTROL,
        strength=request.strength,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
        controlnet_conditioning_scale=0.7,
        control_guidance_start=0.2,
        control_guidance_end=0.8,
    ).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_two_units_match_diffusers_multicontrolnet(demo_model, demo_controlnets) -> None:
    first, second = demo_controlnets
    request = _txt2img()
    units = (
        (ControlUnit("first", CONTROL, weight=0.7, start=0.2, end=0.8), first),
        (ControlUnit("second", SECOND_CONTROL, weight=1.0), second),
    )
    (ours,) = _ours(demo_model, request, *units)
    (only_first,) = _ours(demo_model, request, units[0])
    reference = _diffusers_txt2img(
        demo_model,
        MultiControlNetModel([first, second]),
        request,
        [CONTROL, SECOND_CONTROL],
        controlnet_conditioning_scale=[0.7, 1.0],
        control_guidance_start=[0.2, 0.0],
        control_guidance_end=[0.8, 1.0],
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE
    assert max_pixel_difference(ours, only_first) > 10  # the second unit counts


def test_each_image_of_a_batch_is_the_one_its_seed_gives_alone(
    demo_model, demo_controlnets
) -> None:
    unit = (ControlUnit("tiny", CONTROL, weight=0.7), demo_controlnets[0])
    batch = _ours(demo_model, _txt2img(batch_size=2), unit)
    alone = _ours(demo_model, _txt2img(seed=32), unit)
    assert len(batch) == 2
    assert max_pixel_difference(batch[1], alone[0]) <= TOLERANCE


@pytest.mark.parametrize("mode", ["balanced", "controlnet"])
def test_guidance_halves_run_apart_match_diffusers(
    demo_model, demo_controlnets, monkeypatch, mode
) -> None:
    """When the prompt and the negative span different numbers of 75-token chunks, the UNet
    runs on each guidance half with its own embeddings (A1111's default), and so does the
    ControlNet. Here the halves are kept apart though they have the same length, so that
    diffusers' pipeline (which always batches them) gives the picture to match."""
    family_class = type(demo_model.family)
    encode = family_class.encode_prompt

    def kept_apart(family, *args, **kwargs):
        both = encode(family, *args, **kwargs)
        negative, prompt = both.embeddings.chunk(2)
        return dataclasses.replace(both, embeddings=prompt, negative=negative)

    monkeypatch.setattr(family_class, "encode_prompt", kept_apart)
    controlnet = demo_controlnets[0]
    request = _txt2img()
    unit = ControlUnit("tiny", CONTROL, weight=0.7, mode=mode)
    (ours,) = _ours(demo_model, request, (unit, controlnet))
    (plain,) = _ours(demo_model, request)
    reference = _diffusers_txt2img(
        demo_model,
        controlnet,
        request,
        CONTROL,
        controlnet_conditioning_scale=0.7,
        guess_mode=mode == "controlnet",
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE
    assert max_pixel_difference(ours, plain) > 30


@pytest.mark.parametrize(
    ("weight", "start", "end", "mode"),
    [(0.7, 0.2, 0.8, "balanced"), (1.0, 0.0, 1.0, "controlnet")],
)
def test_sdxl_matches_diffusers(sdxl_model, sdxl_controlnet, weight, start, end, mode) -> None:
    """SDXL ControlNets read the pooled embedding and the size ids, as the UNet does."""
    request = _txt2img(
        prompt="a lighthouse at night", negative_prompt="fog", steps=4, cfg_scale=6.0
    )
    unit = ControlUnit("tiny", CONTROL, weight=weight, start=start, end=end, mode=mode)
    (ours,) = _ours(sdxl_model, request, (unit, sdxl_controlnet))
    (plain,) = _ours(sdxl_model, request)
    reference = _diffusers_txt2img(
        sdxl_model,
        sdxl_controlnet,
        request,
        CONTROL,
        controlnet_conditioning_scale=weight,
        control_guidance_start=start,
        control_guidance_end=end,
        guess_mode=mode == "controlnet",
    )
    assert max_pixel_difference(ours, reference) <= TOLERANCE
    assert max_pixel_difference(ours, plain) > 10


def test_with_a_refiner_start_and_end_count_all_the_steps(
    sdxl_model, sdxl_controlnet, sdxl_refiner
) -> None:
    """As ``StableDiffusionXLControlNetPipeline`` with ``denoising_end``: the end (0.5 of 10
    steps) counts the refiner's steps too, and the refiner runs without the ControlNet."""
    request = _txt2img(
        prompt="a lighthouse at night",
        steps=10,
        cfg_scale=5.0,
        refiner="tiny-sdxl-refiner",
        refiner_switch=0.7,
    )
    unit = ControlUnit("tiny", CONTROL, weight=1.0, end=0.5)
    extension = ControlNetExtension([LoadedUnit(unit, sdxl_controlnet)])
    (ours,) = [
        event.image
        for event in generate(sdxl_model, request, extensions=[extension], refiner=sdxl_refiner)
        if isinstance(event, ImageFinished)
    ]
    common = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "num_inference_steps": request.steps,
        "guidance_scale": request.cfg_scale,
        "generator": torch.Generator("cpu").manual_seed(request.seed),
    }
    base = _reference(
        sdxl_model, StableDiffusionXLControlNetPipeline, sdxl_controlnet, add_watermarker=False
    )
    latents = base(
        **common,
        image=CONTROL,
        width=request.width,
        height=request.height,
        control_guidance_end=0.5,
        denoising_end=request.refiner_switch,
        output_type="latent",
    ).images
    accepted = inspect.signature(StableDiffusionXLImg2ImgPipeline.__init__).parameters
    components = {k: v for k, v in sdxl_refiner.pipeline.components.items() if k in accepted}
    refiner = StableDiffusionXLImg2ImgPipeline(
        **components, requires_aesthetics_score=True, force_zeros_for_empty_prompt=False
    )
    refiner.set_progress_bar_config(disable=True)
    reference = refiner(**common, image=latents, denoising_start=request.refiner_switch).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE
