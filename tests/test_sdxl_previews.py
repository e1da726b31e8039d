"""Live previews on an SDXL model: every kind gives the picture a user expects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdstudio.engine.models.families import SDXL
from sdstudio.engine.previews import PreviewKind, PreviewSettings, create_preview_decoder
from sdstudio.engine.previews.latent_rgb import LatentPreviewDecoder, published_map
from tests.previews_support import DemoRun, correlation, demo_run, save_random_taesd


@pytest.fixture(scope="module")
def run(sdxl_model) -> DemoRun:
    return demo_run(sdxl_model, size=64, steps=3)


def test_the_latent_preview_is_fitted_to_the_sdxl_vae(sdxl_model, run: DemoRun) -> None:
    """The fit is made with the model's own VAE, so on this (random) one it tells the picture
    better than SDXL's published factors, which suit only the real SDXL VAE."""
    decoder = create_preview_decoder(sdxl_model, PreviewSettings(kind=PreviewKind.LATENT))
    fitted = decoder.decode(run.steps[-1])
    published = LatentPreviewDecoder(published_map(SDXL)).decode(run.steps[-1])
    assert fitted.size == (8, 8)
    assert correlation(fitted, run.image) > max(0.1, correlation(published, run.image) + 0.1)


def test_the_vae_preview_of_the_last_step_is_the_final_image(sdxl_model, run: DemoRun) -> None:
    decoder = create_preview_decoder(sdxl_model, PreviewSettings(kind=PreviewKind.VAE))
    preview = decoder.decode(run.steps[-1])
    assert np.array_equal(np.asarray(preview), np.asarray(run.image))


def test_taesdxl_weights_give_full_size_previews(sdxl_model, run, tmp_path: Path) -> None:
    settings = PreviewSettings(
        kind=PreviewKind.TAESD, taesd_path=str(save_random_taesd(tmp_path / "taesdxl"))
    )
    assert create_preview_decoder(sdxl_model, settings).decode(run.steps[0]).size == (64, 64)
