"""The demo model ships as an ordinary diffusers folder: small, hashed, loadable offline."""

from __future__ import annotations

import hashlib
import json

import pytest
from diffusers import StableDiffusionPipeline

from sdstudio.cli import main
from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.demo import model as demo
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.training.networks import WORLD_WORDS


def test_demo_folder_loads_with_diffusers_in_sd_geometry() -> None:
    pipeline = StableDiffusionPipeline.from_pretrained(demo_model_dir(), local_files_only=True)
    assert pipeline.vae_scale_factor == 8
    assert pipeline.unet.config.in_channels == 4
    assert pipeline.unet.config.sample_size * pipeline.vae_scale_factor == 128
    assert pipeline.tokenizer.model_max_length == 77
    assert pipeline.scheduler.config.beta_schedule == "scaled_linear"


def test_the_weights_are_small_safetensors_whose_hashes_training_json_records() -> None:
    folder = demo_model_dir()
    record = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    weights = {str(p.relative_to(folder)): p for p in folder.rglob("*.safetensors")}
    assert sum(path.stat().st_size for path in weights.values()) <= 25_000_000
    assert not [p for p in folder.rglob("*") if p.suffix in {".bin", ".ckpt", ".pt"}]
    assert set(record["weights"]) == set(weights)
    for name, path in weights.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["weights"][name]["sha256"]


def test_every_word_of_the_world_is_one_token_of_the_demo_tokenizer() -> None:
    tokenizer = StableDiffusionPipeline.from_pretrained(
        demo_model_dir(), local_files_only=True
    ).tokenizer
    for word in WORLD_WORDS:
        assert tokenizer.tokenize(word) == [f"{word}</w>"]


def test_demo_path_command_prints_the_folder(capsys) -> None:
    assert main(["demo", "--path"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(demo_model_dir())


def test_a_missing_demo_is_reported_with_what_to_do(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(demo, "resources_dir", lambda: tmp_path)
    with pytest.raises(ModelLoadError, match="train-demo"):
        demo_model_dir()
