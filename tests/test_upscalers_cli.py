"""``sdstudio upscale``: a picture upscaled into a PNG of the right size, the list of upscalers
with their scales and architectures, and one message with status 2 for what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main
from sdstudio.engine.paths import upscalers_dir
from tests.random_esrgan import random_picture, save_random_esrgan

NAME = "cli-tiny-esrgan"


@pytest.fixture
def installed() -> str:
    save_random_esrgan(upscalers_dir(), NAME)
    return NAME


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "small.png"
    random_picture(40, 30).save(path)
    return path


def test_a_model_upscales_a_file_into_a_png_of_its_scale(installed, picture, tmp_path, capsys):
    out = tmp_path / "big.png"
    tiles = ["--tile", "24", "--tile-overlap", "6"]
    code = main(["upscale", str(picture), "--model", installed, "--out", str(out), *tiles])
    assert code == 0
    with Image.open(out) as written:
        assert (written.format, written.size) == ("PNG", (160, 120))
    assert f"Saved {out} (160x120)" in capsys.readouterr().out


def test_without_out_the_png_is_written_beside_the_picture(picture: Path) -> None:
    assert main(["upscale", str(picture), "--model", "Lanczos", "--scale", "1.5"]) == 0
    with Image.open(picture.with_name("small-Lanczos-x1.5.png")) as written:
        assert written.size == (60, 45)


def test_the_list_shows_each_models_scale_and_architecture(installed, capsys) -> None:
    assert main(["upscale", "--list"]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [installed, "4x", "ESRGAN"] in lines
    assert ["Lanczos", "any", "Pillow"] in lines


def test_an_unknown_model_exits_2_with_a_message(picture: Path, capsys) -> None:
    assert main(["upscale", str(picture), "--model", "4x-Nowhere"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("sdstudio: error: No upscaler named '4x-Nowhere'")
    assert "Traceback" not in error


def test_a_missing_picture_exits_2_with_a_message(tmp_path: Path, capsys) -> None:
    assert main(["upscale", str(tmp_path / "none.png"), "--model", "Lanczos"]) == 2
    assert "none.png" in capsys.readouterr().err
