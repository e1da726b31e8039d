"""A family's conditioning hands the UNet what diffusers' own pipeline would."""

from __future__ import annotations

import torch

from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.families import SD1
from sdstudio.engine.models.loading import load_model
from tests.model_sources_fixtures import write_sd2_shaped_folder

CPU = torch.device("cpu")


def test_guided_conditioning_is_diffusers_negative_then_prompt_embeddings(demo_model) -> None:
    pipe = demo_model.pipeline
    conditioning = demo_model.family.encode_prompt(pipe, "a red fox", "blurry", CPU, True)
    with torch.inference_mode():
        prompt, negative = pipe.encode_prompt("a red fox", CPU, 1, True, "blurry")

    kwargs = conditioning.unet_kwargs()
    assert set(kwargs) == {"encoder_hidden_states", "added_cond_kwargs"}
    assert kwargs["added_cond_kwargs"] is None
    assert torch.equal(kwargs["encoder_hidden_states"], torch.cat([negative, prompt]))
    assert conditioning.dtype == prompt.dtype


def test_unguided_conditioning_holds_the_prompt_alone(demo_model) -> None:
    pipe = demo_model.pipeline
    conditioning = SD1.encode_prompt(pipe, "a red fox", "blurry", CPU, False)
    with torch.inference_mode():
        prompt, _ = pipe.encode_prompt("a red fox", CPU, 1, False)

    assert torch.equal(conditioning.unet_kwargs()["encoder_hidden_states"], prompt)


def test_an_sd2_shaped_model_makes_an_image_through_its_family(tmp_path) -> None:
    model = load_model(str(write_sd2_shaped_folder(tmp_path / "sd2")), device="cpu")
    request = GenerationRequest(prompt="a castle", steps=2, width=64, height=64, seed=1)

    finished = [event for event in generate(model, request) if isinstance(event, ImageFinished)]

    assert finished[0].image.size == (64, 64)
