"""CFG rescale (diffusers' ``guidance_rescale``): the same pictures as diffusers, recorded as
A1111's CFG-rescale extension writes it, and offered in the panel."""

from __future__ import annotations

import torch
from diffusers import StableDiffusionPipeline

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
    steps=6,
    cfg_scale=12.0,
    seed=11,
    width=64,
    height=64,
    guidance_rescale=0.7,
)


def test_rescaled_guidance_matches_diffusers(demo_model) -> None:
    (ours,) = finished_images(demo_model, REQUEST)
    pipeline = StableDiffusionPipeline(**demo_model.pipeline.components)
    pipeline.set_progress_bar_config(disable=True)
    reference = pipeline(
        REQUEST.prompt,
        negative_prompt=REQUEST.negative_prompt,
        num_inference_steps=REQUEST.steps,
        guidance_scale=REQUEST.cfg_scale,
        guidance_rescale=REQUEST.guidance_rescale,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(REQUEST.seed),
    ).images[0]
    assert max_pixel_difference(ours, reference) <= TOLERANCE


def test_rescale_changes_the_picture(demo_model) -> None:
    from dataclasses import replace

    (rescaled,) = finished_images(demo_model, REQUEST)
    (plain,) = finished_images(demo_model, replace(REQUEST, guidance_rescale=0.0))
    assert max_pixel_difference(rescaled, plain) > 10


def test_infotext_writes_the_rescale_only_when_it_is_used() -> None:
    used = parse_infotext(GenerationRecord(prompt="a fox", guidance_rescale=0.7).infotext())
    unused = parse_infotext(GenerationRecord(prompt="a fox").infotext())
    assert used.params["CFG Rescale φ"] == "0.7"
    assert "CFG Rescale φ" not in unused.params


def test_an_infotext_without_a_rescale_restores_it_to_off() -> None:
    restored = settings_from_infotext(parse_infotext("a fox\nSteps: 20, CFG scale: 7, Seed: 1"))
    assert restored.settings["guidance_rescale"] == 0.0


def test_the_panel_sends_the_rescale(qtbot) -> None:
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    spin = panel.findChild(type(panel.cfg_spin), "cfgRescaleSpin")
    assert (spin.minimum(), spin.maximum(), spin.value()) == (0.0, 1.0, 0.0)
    spin.setValue(0.7)
    assert panel.build_request().guidance_rescale == 0.7
