"""VAE tiling for large pictures: on by itself above the threshold (with a notice), diffusers'
own tiling, and how far a tiled decode is from a whole one on the demo's VAE."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image

from sdstudio.engine.generation import vae_tiling
from sdstudio.engine.generation.events import ImageFinished, Notice, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.vae_precision import encode_latents
from tests.helpers import max_pixel_difference, noise_image, pixels, run_events

REQUEST = GenerationRequest("a red circle on a blue background", steps=2, seed=3)


@pytest.fixture
def threshold_at_the_demo_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The threshold at the demo's 128×128 instead of 2048×2048, so that a picture above it
    is quick to make."""
    monkeypatch.setattr(vae_tiling, "AUTO_TILING_PIXELS", 128 * 128)


def _decoded(model, latents: torch.Tensor, tiled: bool) -> Image.Image:
    """``latents`` decoded by diffusers itself, in tiles (``vae.enable_tiling()``) or whole."""
    pipe, vae = model.pipeline, model.pipeline.vae
    vae.use_tiling = tiled
    try:
        with torch.inference_mode():
            decoded = vae.decode(latents / vae.config.scaling_factor).sample
    finally:
        vae.use_tiling = False
    return pipe.image_processor.postprocess(decoded, output_type="pil")[0]


@pytest.mark.usefixtures("threshold_at_the_demo_size")
def test_a_picture_above_the_threshold_is_decoded_in_tiles_with_a_notice(demo_model) -> None:
    events = run_events(demo_model, dataclasses.replace(REQUEST, width=136, height=128))
    notices = [event for event in events if isinstance(event, Notice)]
    assert [notice.topic for notice in notices] == [vae_tiling.VAE_TILING_TOPIC]
    assert "136×128" in notices[0].text
    (image,) = [event.image for event in events if isinstance(event, ImageFinished)]
    assert image.size == (136, 128)
    latents = [event.latents for event in events if isinstance(event, StepEvent)][-1]
    assert max_pixel_difference(image, _decoded(demo_model, latents, tiled=True)) == 0
    assert max_pixel_difference(image, _decoded(demo_model, latents, tiled=False)) > 4
    assert demo_model.pipeline.vae.use_tiling is False  # the user's switch is left as it was


@pytest.mark.usefixtures("threshold_at_the_demo_size")
def test_a_picture_at_the_threshold_is_decoded_whole_without_a_notice(demo_model) -> None:
    events = run_events(demo_model, dataclasses.replace(REQUEST, width=128, height=128))
    assert not [event for event in events if isinstance(event, Notice)]
    (image,) = [event.image for event in events if isinstance(event, ImageFinished)]
    latents = [event.latents for event in events if isinstance(event, StepEvent)][-1]
    assert max_pixel_difference(image, _decoded(demo_model, latents, tiled=False)) == 0


def test_a_tiled_decode_is_close_to_a_whole_one_where_every_tile_has_texture(
    demo_model,
) -> None:
    """Measured on the demo's VAE (128-pixel tiles, 9 of them at 256×256) with a picture that
    has texture everywhere: mean 5.8/255, largest 62/255. Each tile's GroupNorm sees only that
    tile, so flat areas fare much worse on this small VAE (a mean of 30-45/255 on the demo's
    plain backgrounds; docs/PERFORMANCE.md), which is why tiling is automatic only above
    2048×2048 pixels."""
    pipe = demo_model.pipeline
    picture = noise_image(64, 64).resize((256, 256), Image.Resampling.BICUBIC)
    with torch.inference_mode():
        pixels_in = pipe.image_processor.preprocess(picture)
        latents = encode_latents(
            pipe, pixels_in, torch.Generator().manual_seed(0), torch.float32, False
        )
    difference = np.abs(
        pixels(_decoded(demo_model, latents, tiled=True))
        - pixels(_decoded(demo_model, latents, tiled=False))
    )
    assert difference.mean() < 7 and difference.max() < 72
