"""SDXL single-file checkpoints (sgm's layout, as model sites distribute them) load offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.checkpoint_header import read_checkpoint_header
from sdstudio.engine.models.families import SDXL
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.loading import load_model
from sdstudio.engine.resources import resources_dir
from tests.helpers import finished_images, noise_image
from tests.model_sources_fixtures import write_original_layout_sdxl_checkpoint
from tests.random_sdxl_model import build_random_sdxl_pipeline

UNET_KEY = "model.diffusion_model.input_blocks.0.0.weight"
VAE_KEY = "first_stage_model.encoder.conv_in.weight"
CLIP_KEY = "conditioner.embedders.0.transformer.text_model.embeddings.position_embedding.weight"
OPENCLIP_BASE_KEY = "conditioner.embedders.1.model.positional_embedding"
OPENCLIP_REFINER_KEY = "conditioner.embedders.0.model.positional_embedding"


def _folder_and_file(tmp_path_factory, refiner: bool) -> tuple[Path, Path]:
    name = "tiny-sdxl-refiner" if refiner else "tiny-sdxl"
    root = tmp_path_factory.mktemp(name)
    pipeline = build_random_sdxl_pipeline(refiner=refiner)
    pipeline.save_pretrained(root / name, safe_serialization=True)
    return root / name, write_original_layout_sdxl_checkpoint(
        pipeline, root / f"{name}.safetensors"
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return _folder_and_file(tmp_path_factory, refiner=False)


@pytest.fixture(scope="module")
def refiner(tmp_path_factory):
    return _folder_and_file(tmp_path_factory, refiner=True)


def _header(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "model.safetensors"
    save_file({name: torch.zeros(4, 4) for name in names}, str(path))
    return path


def test_a_base_file_makes_the_same_picture_as_its_folder(base) -> None:
    folder, checkpoint = base
    request = GenerationRequest("a red circle", steps=3, seed=5, width=64, height=64)

    from_file = load_model(str(checkpoint), device="cpu", options=LoadOptions(config_dir=folder))
    from_folder = load_model(str(folder), device="cpu")

    assert from_file.family is SDXL
    picture = finished_images(from_file, request)[0]
    assert picture.tobytes() == finished_images(from_folder, request)[0].tobytes()


def test_a_refiner_file_refines_an_init_image_as_its_folder_does(refiner) -> None:
    folder, checkpoint = refiner
    request = GenerationRequest(
        "a red circle",
        steps=4,
        seed=5,
        width=64,
        height=64,
        init_image=noise_image(64, 64),
        strength=0.5,
    )

    from_file = load_model(str(checkpoint), device="cpu", options=LoadOptions(config_dir=folder))
    from_folder = load_model(str(folder), device="cpu")

    assert from_file.pipeline.config.requires_aesthetics_score
    picture = finished_images(from_file, request)[0]
    assert picture.tobytes() == finished_images(from_folder, request)[0].tobytes()


def test_the_header_tells_a_base_file_from_a_refiner(tmp_path) -> None:
    base_info = read_checkpoint_header(
        _header(tmp_path, [UNET_KEY, VAE_KEY, CLIP_KEY, OPENCLIP_BASE_KEY])
    )
    refiner_info = read_checkpoint_header(
        _header(tmp_path, [UNET_KEY, VAE_KEY, OPENCLIP_REFINER_KEY])
    )

    assert (base_info.family, base_info.config_name) == (SDXL, "sdxl")
    assert (refiner_info.family, refiner_info.config_name) == (SDXL, "sdxl_refiner")


def test_the_shipped_base_config_is_the_released_architecture() -> None:
    """2,567,463,684 UNet parameters, as stable-diffusion-xl-base-1.0's; built on meta."""
    from diffusers import UNet2DConditionModel

    folder = resources_dir() / "model_configs" / "sdxl"
    config = json.loads((folder / "unet" / "config.json").read_text())
    with torch.device("meta"):
        unet = UNet2DConditionModel.from_config(config)

    assert sum(p.numel() for p in unet.parameters()) == 2_567_463_684


def test_a_file_whose_weights_do_not_fit_the_shipped_config_says_so(base) -> None:
    """Our tiny file against the real SDXL architecture: the shapes cannot match."""
    _, checkpoint = base

    with pytest.raises(ModelLoadError) as raised:
        load_model(str(checkpoint), device="cpu")

    assert (
        "reads 96-wide text embeddings where the Stable Diffusion XL architecture reads 2048"
        in str(raised.value)
    )
