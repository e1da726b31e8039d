"""The demo model is an ordinary diffusers folder, built offline and identically every time."""

from __future__ import annotations

import torch
from diffusers import StableDiffusionPipeline

from sdstudio.cli import main
from sdstudio.engine.models.demo.model import build_demo_pipeline, ensure_demo_model


def test_demo_folder_loads_with_diffusers() -> None:
    pipeline = StableDiffusionPipeline.from_pretrained(ensure_demo_model(), local_files_only=True)
    assert pipeline.vae_scale_factor == 8
    assert pipeline.unet.config.in_channels == 4
    assert pipeline.tokenizer.model_max_length == 77


def test_demo_is_built_identically_each_time() -> None:
    first, second = build_demo_pipeline(), build_demo_pipeline()
    for name in ("unet", "vae", "text_encoder"):
        left, right = getattr(first, name).state_dict(), getattr(second, name).state_dict()
        assert all(torch.equal(left[key], right[key]) for key in left)


def test_demo_tokenizer_splits_words_into_its_own_tokens() -> None:
    tokenizer = build_demo_pipeline().tokenizer
    tokens = tokenizer.tokenize("a photo of a dragon")
    assert "dragon</w>" in tokens


def test_demo_path_command_prints_the_folder(capsys) -> None:
    assert main(["demo", "--path"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(ensure_demo_model())
