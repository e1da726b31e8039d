"""``sdstudio info``: what a person sees for our images, A1111's, ComfyUI's and non-images."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from sdstudio.cli import main
from sdstudio.engine.metadata.autosave import save_generation
from sdstudio.engine.metadata.record import GenerationRecord


def png_with(path: Path, texts: dict[str, str]) -> Path:
    info = PngImagePlugin.PngInfo()
    for name, text in texts.items():
        info.add_text(name, text)
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)
    return path


def info(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["info", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_our_image_shows_every_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = GenerationRecord(
        prompt="a fox\nin snow", negative_prompt="blur", steps=4, cfg_scale=6.5, seed=99,
        width=64, height=64, sampler="PNDM", model_name="demo", model_path="/m/demo",
    )  # fmt: skip
    path = save_generation(Image.new("RGB", (64, 64)), record, tmp_path / "out")
    code, out, _ = info(capsys, str(path))
    assert code == 0
    assert "made by sdstudio" in out.splitlines()[0]
    expected = [
        "Prompt: a fox\n  in snow",
        "Negative prompt: blur",
        "Steps: 4",
        "Seed: 99",
        "CFG scale: 6.5",
        "Size: 64x64",
        "Sampler: PNDM",
        "Model path: /m/demo",
    ]
    assert [line for line in expected if line not in out] == []


def test_a1111_image_shows_its_parsed_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5, Size: 512x512, Model: "a, b"'
    code, out, _ = info(capsys, str(png_with(tmp_path / "a.png", {"parameters": text})))
    assert code == 0
    assert "A1111" in out.splitlines()[0]
    assert "Prompt: a cat\n" in out and "Model: a, b\n" in out and "Seed: 5\n" in out


def test_comfyui_image_shows_its_json_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = json.dumps({"3": {"class_type": "KSampler"}})
    code, out, _ = info(capsys, str(png_with(tmp_path / "c.png", {"prompt": graph})))
    assert (code, "ComfyUI" in out, graph in out) == (0, True, True)


def test_image_without_parameters_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = png_with(tmp_path / "plain.png", {})
    code, out, _ = info(capsys, str(path))
    assert (code, out) == (1, f"{path}: no generation parameters found\n")


def test_non_image_file_is_an_error_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    code, out, err = info(capsys, str(path))
    assert (code, out) == (2, "")
    assert err == f"sdstudio: error: {path} is not an image sdstudio can read\n"


def test_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = info(capsys, str(tmp_path / "gone.png"))
    assert code == 2 and "No such file" in err


def test_raw_prints_the_chunks_as_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "a cat\nNegative prompt: dog\nSteps: 1, Seed: 2, Size: 8x8"
    code, out, _ = info(capsys, "--raw", str(png_with(tmp_path / "r.png", {"parameters": text})))
    assert (code, out) == (0, f"parameters:\n{text}\n\n")
