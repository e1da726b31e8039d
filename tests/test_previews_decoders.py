"""Each preview kind turns a step into a picture of the size a user expects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdstudio.engine.previews import (
    PreviewError,
    PreviewKind,
    PreviewSettings,
    create_preview_decoder,
)
from sdstudio.engine.previews.taesd import TaesdPreviewDecoder, load_taesd
from tests.previews_support import DemoRun, demo_run, save_random_taesd


@pytest.fixture(scope="module")
def run(demo_model) -> DemoRun:
    return demo_run(demo_model, size=64, steps=3)


@pytest.fixture(scope="module")
def taesd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_random_taesd(tmp_path_factory.mktemp("taesd"))


def test_latent_preview_is_at_latent_resolution(demo_model, run: DemoRun) -> None:
    decoder = create_preview_decoder(demo_model, PreviewSettings(kind=PreviewKind.LATENT))
    assert decoder.decode(run.steps[0]).size == (8, 8)


def test_vae_preview_is_full_size(demo_model, run: DemoRun) -> None:
    decoder = create_preview_decoder(demo_model, PreviewSettings(kind=PreviewKind.VAE))
    assert decoder.decode(run.steps[0]).size == (64, 64)


def test_vae_preview_of_the_last_step_equals_the_final_image(demo_model, run: DemoRun) -> None:
    decoder = create_preview_decoder(demo_model, PreviewSettings(kind=PreviewKind.VAE))
    preview = decoder.decode(run.steps[-1])
    assert np.array_equal(np.asarray(preview), np.asarray(run.image))


def test_taesd_preview_from_a_folder_is_full_size(demo_model, run, taesd_dir) -> None:
    settings = PreviewSettings(kind=PreviewKind.TAESD, taesd_path=str(taesd_dir))
    assert create_preview_decoder(demo_model, settings).decode(run.steps[0]).size == (64, 64)


def test_taesd_at_half_scale_halves_the_preview(run: DemoRun, taesd_dir: Path) -> None:
    decoder = TaesdPreviewDecoder(load_taesd(taesd_dir), latent_scale=0.5)
    assert decoder.decode(run.steps[0]).size == (32, 32)


def test_taesd_loads_from_a_bare_weights_file(run: DemoRun, taesd_dir: Path) -> None:
    weights = taesd_dir / "diffusion_pytorch_model.safetensors"
    decoder = TaesdPreviewDecoder(load_taesd(weights), latent_scale=1.0)
    assert decoder.decode(run.steps[0]).size == (64, 64)


def test_taesd_without_weights_says_how_to_configure_them(demo_model) -> None:
    with pytest.raises(PreviewError, match="TAESD preview needs TAESD weights: set"):
        create_preview_decoder(demo_model, PreviewSettings(kind=PreviewKind.TAESD))


def test_taesd_path_that_does_not_exist_is_named(demo_model, tmp_path: Path) -> None:
    settings = PreviewSettings(kind=PreviewKind.TAESD, taesd_path=str(tmp_path / "nope"))
    with pytest.raises(PreviewError, match="nope"):
        create_preview_decoder(demo_model, settings)


def test_no_preview_makes_no_decoder(demo_model) -> None:
    assert create_preview_decoder(demo_model, PreviewSettings(kind=PreviewKind.NONE)) is None


def test_noisy_option_shows_different_pixels_than_the_estimate(demo_model, run) -> None:
    clean = create_preview_decoder(demo_model, PreviewSettings(kind="latent"))
    noisy = create_preview_decoder(demo_model, PreviewSettings(kind="latent", show_noisy=True))
    first = run.steps[0]
    assert not np.array_equal(np.asarray(clean.decode(first)), np.asarray(noisy.decode(first)))


def test_unknown_kind_names_the_choices() -> None:
    with pytest.raises(PreviewError, match="none, latent, taesd, vae"):
        PreviewSettings(kind="sharp")


def test_taesd_for_another_latent_space_is_refused(demo_model, tmp_path: Path) -> None:
    from diffusers import AutoencoderTiny

    AutoencoderTiny(latent_channels=16).save_pretrained(tmp_path / "taesd3")
    settings = PreviewSettings(kind=PreviewKind.TAESD, taesd_path=str(tmp_path / "taesd3"))
    with pytest.raises(PreviewError, match="16-channel latents but this model makes 4-channel"):
        create_preview_decoder(demo_model, settings)
