"""Clip skip, counted as A1111 counts it (2 = one layer before the usual one): the same
pictures as diffusers' ``clip_skip`` one less, recorded as A1111 writes it."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import settings_from_infotext
from sdstudio.ui.controls_panel import ControlsPanel
from tests.helpers import finished_images, max_pixel_difference

TOLERANCE = 2  # per pixel, out of 255
REQUEST = GenerationRequest(
    "a red circle on the left on a blue background",
    negative_prompt="green",
    steps=5,
    cfg_scale=7.0,
    seed=21,
    width=64,
    height=64,
    clip_skip=2,
)


def _reference(pipeline_class, model, request: GenerationRequest):
    pipeline = pipeline_class(**model.pipeline.components)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline(
        request.prompt,
        negative_prompt=request.negative_prompt,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        clip_skip=request.clip_skip - 1,  # diffusers counts the layers skipped
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
    ).images[0]


def test_sd_clip_skip_matches_diffusers(demo_model) -> None:
    encoder = demo_model.pipeline.text_encoder
    # diffusers' SD pipeline still reaches the final layer norm through ``text_model``,
    # which transformers 5.6 flattened away; give it the path without registering a module.
    if not hasattr(encoder, "text_model"):
        object.__setattr__(encoder, "text_model", encoder)
    try:
        reference = _reference(StableDiffusionPipeline, demo_model, REQUEST)
    finally:
        encoder.__dict__.pop("text_model", None)
    (ours,) = finished_images(demo_model, REQUEST)
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_sdxl_clip_skip_matches_diffusers(sdxl_model) -> None:
    (ours,) = finished_images(sdxl_model, REQUEST)
    reference = _reference(StableDiffusionXLPipeline, sdxl_model, REQUEST)
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_clip_skip_changes_the_picture(demo_model) -> None:
    (skipped,) = finished_images(demo_model, REQUEST)
    (usual,) = finished_images(demo_model, replace(REQUEST, clip_skip=1))
    assert max_pixel_difference(skipped, usual) > 10


@pytest.mark.parametrize(("value", "written"), [(1, None), (2, "2")])
def test_infotext_writes_clip_skip_as_a1111_does(value: int, written: str | None) -> None:
    params = parse_infotext(GenerationRecord(prompt="a fox", clip_skip=value).infotext()).params
    assert params.get("Clip skip") == written


def test_clip_skip_comes_back_from_infotext_and_is_1_without_it() -> None:
    skipped = settings_from_infotext(parse_infotext("a fox\nSteps: 20, Seed: 1, Clip skip: 2"))
    usual = settings_from_infotext(parse_infotext("a fox\nSteps: 20, Seed: 1"))
    assert (skipped.settings["clip_skip"], usual.settings["clip_skip"]) == (2, 1)


def test_the_panel_sends_clip_skip(qtbot) -> None:
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    spin = panel.clip_skip_spin
    assert (spin.objectName(), spin.minimum(), spin.maximum(), spin.value()) == (
        "clipSkipSpin",
        1,
        12,
        1,
    )
    spin.setValue(2)
    assert panel.build_request().clip_skip == 2
