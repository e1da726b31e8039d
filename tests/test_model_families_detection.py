"""Every model is matched to its family: SD 1.x or SD 2.x, from a folder, a file or the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.checkpoint_header import read_checkpoint_header
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.diffusers_folder import check_folder
from sdstudio.engine.models.families import FAMILIES, SD1, SD2, SDXL, family_named
from sdstudio.engine.models.loading import load_model
from tests.model_sources_fixtures import (
    copy_model_folder,
    make_v_prediction_folder,
    write_sd2_shaped_folder,
)

UNET_KEY = "model.diffusion_model.input_blocks.0.0.weight"


@pytest.fixture(scope="module")
def sd2_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sd2_shaped_folder(tmp_path_factory.mktemp("sd2") / "tiny-sd2")


def write_header(path: Path, text_encoder_key: str) -> Path:
    """Names and shapes only: what the header check reads (SD 2.x's is in the file tests)."""
    names = [UNET_KEY, "first_stage_model.encoder.conv_in.weight", text_encoder_key]
    tensors = {name: torch.zeros(4, 4) for name in names}
    tensors[UNET_KEY] = torch.zeros(320, 4, 3, 3)
    save_file(tensors, str(path))
    return path


def test_the_demo_is_an_sd1_model_trained_at_128_pixels() -> None:
    model = load_model("demo", device="cpu")

    assert model.family is SD1
    assert model.default_size == 128  # its UNet's sample size, as diffusers defaults to


def test_a_folder_whose_unet_attends_to_768_wide_text_is_sd1(tmp_path: Path) -> None:
    folder = copy_model_folder(demo_model_dir(), tmp_path / "sd1")
    config_file = folder / "unet" / "config.json"
    config = json.loads(config_file.read_text())
    config_file.write_text(json.dumps({**config, "cross_attention_dim": 768}))

    assert check_folder(folder) is SD1


def test_a_folder_whose_unet_attends_to_1024_wide_text_loads_as_sd2(sd2_folder: Path) -> None:
    model = load_model(str(sd2_folder), device="cpu")

    assert model.family is SD2
    assert model.default_size == 512  # an epsilon model: SD 2.x base


def test_an_sd2_v_prediction_folder_defaults_to_768_pixels(
    sd2_folder: Path, tmp_path: Path
) -> None:
    folder = make_v_prediction_folder(sd2_folder, tmp_path / "sd2-v")

    assert load_model(str(folder), device="cpu").default_size == 768


def test_a_checkpoint_with_a_clip_text_encoder_is_sd1(tmp_path: Path) -> None:
    path = write_header(tmp_path / "sd15.safetensors", "cond_stage_model.transformer.x.weight")

    assert read_checkpoint_header(path).family is SD1


def test_a_family_is_found_by_its_stored_name_and_an_unknown_name_lists_the_known_ones() -> None:
    assert [family_named(family.name) for family in FAMILIES] == [SD1, SD2, SDXL]
    with pytest.raises(ModelLoadError, match="sdstudio knows: sd1, sd2, sdxl"):
        family_named("sd3")
