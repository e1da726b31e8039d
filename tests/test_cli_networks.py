"""``sdstudio generate`` with --lora, --lora-dir and long prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main
from tests.networks_fixtures import write_embedding, write_kohya_lora

FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "3"]


@pytest.fixture
def lora(tmp_path: Path, demo_model) -> Path:
    return write_kohya_lora(demo_model.pipeline, tmp_path / "loras" / "shapes.safetensors")


def _parameters(path: Path) -> str:
    with Image.open(path) as image:
        return image.text["parameters"]


def test_lora_by_path_is_applied_and_recorded(tmp_path: Path, lora: Path) -> None:
    out = tmp_path / "a.png"
    args = ["generate", "--prompt", "a red circle", "--lora", f"{lora}:0.6", "--out", str(out)]
    assert main([*args, *FAST]) == 0
    parameters = _parameters(out)
    assert parameters.startswith("a red circle <lora:shapes:0.6>")
    assert 'Lora hashes: "shapes: ' in parameters
    plain = tmp_path / "plain.png"
    assert main(["generate", "--prompt", "a red circle", "--out", str(plain), *FAST]) == 0
    with Image.open(out) as first, Image.open(plain) as second:
        assert first.tobytes() != second.tobytes()


def test_a_tag_finds_its_lora_in_a_lora_dir(tmp_path: Path, lora: Path) -> None:
    out = tmp_path / "a.png"
    prompt = "a red circle <lora:SHAPES:0.5>"
    args = ["generate", "--prompt", prompt, "--lora-dir", str(lora.parent), "--out", str(out)]
    assert main([*args, *FAST]) == 0
    assert "Lora hashes" in _parameters(out)


def test_an_unknown_lora_is_named_on_stderr(tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.png"
    args = ["generate", "--prompt", "a red circle <lora:nowhere:1>", "--out", str(out)]
    assert main([*args, *FAST]) == 0
    assert "LoRA not found (generating without it): nowhere" in capsys.readouterr().err


def test_a_missing_lora_file_is_one_line(tmp_path: Path, capsys) -> None:
    args = ["generate", "--prompt", "x", "--lora", str(tmp_path / "no.safetensors")]
    assert main([*args, *FAST]) != 0
    assert "no such file" in capsys.readouterr().err


def test_a_long_prompt_is_noted_not_cut(tmp_path: Path, capsys) -> None:
    prompt = " ".join(["a red circle"] * 30)
    assert main(["generate", "--prompt", prompt, "--out", str(tmp_path / "a.png"), *FAST]) == 0
    assert "the prompt has 90 tokens, read in 2 chunks of 75" in capsys.readouterr().err


def test_an_embedding_dir_is_searched(tmp_path: Path, capsys, demo_model) -> None:
    width = demo_model.pipeline.text_encoder.get_input_embeddings().weight.shape[-1]
    write_embedding(tmp_path / "emb" / "glossy.safetensors", width)
    out = tmp_path / "a.png"
    args = [
        "generate",
        "--prompt",
        "a red circle, glossy",
        "--embeddings-dir",
        str(tmp_path / "emb"),
    ]
    assert main([*args, "--out", str(out), *FAST]) == 0
    assert 'TI hashes: "glossy: ' in _parameters(out)
