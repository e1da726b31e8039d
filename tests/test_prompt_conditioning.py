"""Weighted, chunked prompts give A1111's conditioning, and the pictures diffusers makes from
those embeddings."""

from __future__ import annotations

import pytest
import torch
from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

from sdstudio.engine.generation.request import GenerationRequest
from tests.a1111_reference import reference_conditioning
from tests.helpers import finished_images, max_pixel_difference

CPU = torch.device("cpu")
LONG = " ".join(["a red circle on the left"] * 16)  # 96 tokens: two chunks
PROMPTS = {
    "plain": "a red circle on the left",
    "weighted": "a (red:1.5) circle on a [blue] background",
    "nested": "a ((red)) [[circle]] (on the (left:0.8))",
    "escaped": "a \\(red\\) circle",
    "break": "a red circle BREAK on a blue background",
    "two chunks": LONG,
}


def _sd_reference(pipe, prompt: str) -> torch.Tensor:
    return reference_conditioning(pipe.tokenizer, lambda ids: pipe.text_encoder(ids)[0], prompt)


@pytest.mark.parametrize("name", PROMPTS)
def test_sd_conditioning_is_a1111s(demo_model, name: str) -> None:
    pipe = demo_model.pipeline
    prompt = PROMPTS[name]
    with torch.inference_mode():
        ours = demo_model.family.encode_prompt(pipe, prompt, "", CPU, False).embeddings
        expected = _sd_reference(pipe, prompt)
    assert ours.shape == expected.shape
    assert torch.allclose(ours, expected, atol=1e-5)


@pytest.mark.parametrize("name", ["weighted", "break", "two chunks"])
def test_sdxl_conditioning_is_a1111s_per_encoder(sdxl_model, name: str) -> None:
    pipe = sdxl_model.pipeline
    prompt = PROMPTS[name]

    def penultimate(encoder):
        return lambda ids: encoder(ids, output_hidden_states=True).hidden_states[-2]

    with torch.inference_mode():
        ours = sdxl_model.family.encode_prompt(pipe, prompt, "", CPU, False)
        expected = torch.cat(
            [
                reference_conditioning(pipe.tokenizer, penultimate(pipe.text_encoder), prompt),
                reference_conditioning(pipe.tokenizer_2, penultimate(pipe.text_encoder_2), prompt),
            ],
            dim=-1,
        )
        first_chunk = pipe.tokenizer_2(
            prompt.split(" BREAK ")[0],
            padding="max_length",
            max_length=77,
            truncation=True,
            return_tensors="pt",
        ).input_ids
        pooled = pipe.text_encoder_2(first_chunk)[0]
    assert torch.allclose(ours.embeddings, expected, atol=1e-5)
    if name != "weighted":  # weights change the hidden states, never the pooled embedding
        assert torch.allclose(ours.pooled, pooled, atol=1e-5)


def test_a_long_prompt_is_not_cut_off(demo_model) -> None:
    with torch.inference_mode():
        conditioning = demo_model.family.encode_prompt(demo_model.pipeline, LONG, "", CPU, False)
    assert conditioning.embeddings.shape[1] == 2 * 77


def _request(prompt: str, negative: str = "", **changes) -> GenerationRequest:
    settings = {"steps": 8, "cfg_scale": 7.0, "seed": 3, "width": 128, "height": 128}
    return GenerationRequest(
        prompt, negative_prompt=negative, scheduler="Euler", **{**settings, **changes}
    )


@pytest.mark.parametrize("name", ["weighted", "two chunks"])
def test_sd_pictures_equal_diffusers_given_these_embeddings(demo_model, name: str) -> None:
    prompt, negative = PROMPTS[name], "a (blue:1.2) square"
    request = _request(prompt, negative, pad_prompt_lengths=True)
    (ours,) = finished_images(demo_model, request)
    pipe = demo_model.pipeline
    with torch.inference_mode():
        conditioning = demo_model.family.encode_prompt(pipe, prompt, negative, CPU, True, pad=True)
    negative_embeds, prompt_embeds = conditioning.embeddings.chunk(2)
    reference = StableDiffusionPipeline(**pipe.components, requires_safety_checker=False)
    reference.scheduler = _euler(pipe)
    reference.set_progress_bar_config(disable=True)
    theirs = reference(
        prompt_embeds=prompt_embeds,
        negative_prompt_embeds=negative_embeds,
        num_inference_steps=8,
        guidance_scale=7.0,
        width=128,
        height=128,
        generator=torch.Generator("cpu").manual_seed(3),
    ).images[0]
    assert max_pixel_difference(ours, theirs) <= 2


def test_sdxl_pictures_equal_diffusers_given_these_embeddings(sdxl_model) -> None:
    prompt, negative = PROMPTS["weighted"], "a (blue:1.2) square"
    request = _request(prompt, negative, width=64, height=64)
    (ours,) = finished_images(sdxl_model, request)
    pipe = sdxl_model.pipeline
    with torch.inference_mode():
        conditioning = sdxl_model.family.encode_prompt(
            pipe, prompt, negative, CPU, True, size=(64, 64)
        )
    negative_embeds, prompt_embeds = conditioning.embeddings.chunk(2)
    negative_pooled, pooled = conditioning.pooled.chunk(2)
    reference = StableDiffusionXLPipeline(**pipe.components)
    reference.scheduler = _euler(pipe)
    reference.set_progress_bar_config(disable=True)
    theirs = reference(
        prompt_embeds=prompt_embeds,
        negative_prompt_embeds=negative_embeds,
        pooled_prompt_embeds=pooled,
        negative_pooled_prompt_embeds=negative_pooled,
        num_inference_steps=8,
        guidance_scale=7.0,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(3),
    ).images[0]
    assert max_pixel_difference(ours, theirs) <= 2


def _euler(pipe):
    from diffusers import EulerDiscreteScheduler

    return EulerDiscreteScheduler.from_config(pipe.scheduler.config)


def test_prompt_and_negative_of_different_lengths_run_apart_unless_padded(demo_model) -> None:
    pipe = demo_model.pipeline
    with torch.inference_mode():
        apart = demo_model.family.encode_prompt(pipe, LONG, "blurry", CPU, True)
        padded = demo_model.family.encode_prompt(pipe, LONG, "blurry", CPU, True, pad=True)
    negative, prompt = apart.unet_kwargs()["encoder_hidden_states"]
    assert (negative.shape[1], prompt.shape[1]) == (77, 154)
    assert padded.unet_kwargs()["encoder_hidden_states"].shape[:2] == (2, 154)


def test_unpadded_and_padded_runs_both_make_pictures_and_differ(demo_model) -> None:
    (apart,) = finished_images(demo_model, _request(LONG, "blurry"))
    (padded,) = finished_images(demo_model, _request(LONG, "blurry", pad_prompt_lengths=True))
    assert apart.size == padded.size == (128, 128)
    assert max_pixel_difference(apart, padded) > 0


def test_halves_run_apart_equal_one_batch_when_lengths_agree(demo_model, monkeypatch) -> None:
    """The separate-halves path computes what the batched one does."""
    from sdstudio.engine.models.families import conditioning as module

    request = _request("a red circle", "a blue square")
    (batched,) = finished_images(demo_model, request)
    original = module.guidance_pair

    def kept_apart(negative, positive, pad, empty):
        return positive, negative

    monkeypatch.setattr(module, "guidance_pair", kept_apart)
    (apart,) = finished_images(demo_model, request)
    monkeypatch.setattr(module, "guidance_pair", original)
    assert max_pixel_difference(batched, apart) <= 2


def test_attention_maps_follow_weighted_and_long_prompts(demo_model) -> None:
    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.probes.attention_capture import AttentionCapture

    prompt = " ".join(["a blue square"] * 26) + " a (red:1.2) circle on the left"
    request = _request(prompt, "blurry")  # 85 tokens against 1: the halves run apart
    with AttentionCapture(demo_model.pipeline, request) as capture:
        selection = capture.find("circle")
        events = list(generate(demo_model, request))
        maps = capture.take()
    assert [token.index for token in selection.tokens] == [77 + 1 + 3 + 2]
    assert maps.steps == 8
    assert maps.heat("circle").shape == (16, 16)
    assert any(type(event).__name__ == "ImageFinished" for event in events)
