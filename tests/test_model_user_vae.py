"""A VAE of the user's choice replaces the model's own, or is refused with a reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from sdstudio.cli import main
from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.loading import load_model
from tests.helpers import finished_images, max_pixel_difference
from tests.model_sources_fixtures import build_wider_vae, write_vae_file
from tests.random_sdxl_model import build_random_sdxl_pipeline

REQUEST = GenerationRequest("a red circle", steps=4, seed=2, width=64, height=64)


def _demo_vae_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_model_dir() / "vae", tmp_path / "my-vae"))


def test_a_vae_folder_replaces_the_models_own(demo_model, tmp_path: Path) -> None:
    folder = _demo_vae_copy(tmp_path)
    model = load_model("demo", device="cpu", options=LoadOptions(vae=folder))
    (with_own,) = finished_images(demo_model, REQUEST)
    (with_copy,) = finished_images(model, REQUEST)
    assert max_pixel_difference(with_own, with_copy) == 0  # the same weights decode alike
    assert model.pipeline.vae is not demo_model.pipeline.vae


def test_a_vae_of_another_family_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sdxl-vae"
    build_random_sdxl_pipeline().vae.save_pretrained(folder)
    with pytest.raises(ModelLoadError, match="made for another model family"):
        load_model("demo", device="cpu", options=LoadOptions(vae=folder))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nowhere", "does not exist"),
        ("vae.safetensors", "not a valid .safetensors"),
        ("empty", "needs config"),
        ("vae.ckpt", "pickle-based"),
    ],
)
def test_a_vae_that_is_not_a_vae_folder_says_why(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "vae.safetensors").write_bytes(b"x")
    (tmp_path / "vae.ckpt").write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match=message):
        load_model("demo", device="cpu", options=LoadOptions(vae=tmp_path / name))


def test_a_single_file_vae_replaces_the_models_own(demo_model, tmp_path: Path) -> None:
    path = write_vae_file(demo_model.pipeline.vae, tmp_path / "my-vae.safetensors")
    model = load_model("demo", device="cpu", options=LoadOptions(vae=path))
    (with_own,) = finished_images(demo_model, REQUEST)
    (with_file,) = finished_images(model, REQUEST)
    assert max_pixel_difference(with_own, with_file) == 0


def test_a_single_file_vae_of_another_size_says_it_does_not_fit(tmp_path: Path) -> None:
    path = write_vae_file(build_wider_vae(), tmp_path / "other.safetensors")
    with pytest.raises(ModelLoadError, match="does not fit this model's VAE"):
        load_model("demo", device="cpu", options=LoadOptions(vae=path))


def test_a_whole_model_chosen_as_the_vae_says_so(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    path = tmp_path / "model.safetensors"
    names = ["model.diffusion_model.input_blocks.0.0.weight", "first_stage_model.encoder.x"]
    save_file({name: torch.zeros(2) for name in names}, str(path))
    with pytest.raises(ModelLoadError, match="whole model, not a VAE"):
        load_model("demo", device="cpu", options=LoadOptions(vae=path))


def test_the_command_line_takes_a_vae(tmp_path: Path, capsys) -> None:
    folder = _demo_vae_copy(tmp_path)
    out = tmp_path / "a.png"
    args = ["generate", "--prompt", "a red circle", "--steps", "2", "--out", str(out)]
    assert main([*args, "--vae", str(folder)]) == 0
    assert out.is_file()
    assert main([*args, "--vae", str(tmp_path / "missing")]) != 0
    error = capsys.readouterr().err
    assert "does not exist" in error and "Traceback" not in error
