"""``sdstudio generate`` writes a PNG and answers bad input with one line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main

FAST = ["--steps", "2", "--width", "64", "--height", "64"]


def test_generate_writes_the_png_and_prints_its_path(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cat.png"
    assert main(["generate", "--prompt", "a cat", "--seed", "5", "--out", str(out), *FAST]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    with Image.open(out) as image:
        assert image.size == (64, 64)


def test_without_a_size_the_picture_has_the_model_native_size(tmp_path: Path) -> None:
    out = tmp_path / "circle.png"
    args = ["generate", "--prompt", "a red circle", "--steps", "2", "--out", str(out)]
    assert main(args) == 0
    with Image.open(out) as image:
        assert image.size == (128, 128)  # the demo's; one side given keeps it: see below
    assert main([*args, "--width", "64"]) == 0
    with Image.open(out) as image:
        assert image.size == (64, 128)


def test_generate_without_seed_prints_the_drawn_seed(tmp_path: Path, capsys) -> None:
    assert main(["generate", "--prompt", "a cat", "--out", str(tmp_path / "a.png"), *FAST]) == 0
    assert "seed: " in capsys.readouterr().err


def test_img2img_from_the_command_line(tmp_path: Path, capsys) -> None:
    init = tmp_path / "init.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(init)
    out = tmp_path / "out.png"
    args = ["generate", "--prompt", "x", "--init", str(init), "--strength", "0.5"]
    assert main([*args, "--out", str(out), *FAST]) == 0
    assert out.is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--width", "100"], "width must be a positive multiple of 8"),
        (["--strength", "1.5", "--init", "{init}"], "strength must be between 0 and 1"),
        (["--scheduler", "Nope"], "Unknown scheduler 'Nope'"),
        (["--init", "{missing}"], "Init image not found"),
        (["--init", "{corrupt}"], "Cannot read corrupt.png as an image"),
        (["--model", "{missing}"], "Model not found"),
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path: Path, capsys, extra, message) -> None:
    init = tmp_path / "init.png"
    Image.new("RGB", (64, 64)).save(init)
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    names = {"init": init, "missing": tmp_path / "missing.png", "corrupt": corrupt}
    args = [part.format(**names) for part in extra]
    code = main(["generate", "--prompt", "a cat", "--steps", "1", *args])
    err = capsys.readouterr().err
    assert code != 0
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_generate_autosaves_numbered_pngs_with_parameters(sdstudio_home: Path, capsys) -> None:
    args = ["generate", "--prompt", "a cat", "--seed", "11", "--batch-count", "2", *FAST]
    assert main(args) == 0
    paths = [Path(line) for line in capsys.readouterr().out.split()]
    assert [p.name for p in paths] == ["00001-11.png", "00002-12.png"]
    assert all(p.parent.parent == sdstudio_home / "outputs" for p in paths)
    with Image.open(paths[1]) as image:
        parameters = image.text["parameters"]
    assert parameters.startswith("a cat\n")
    assert "Seed: 12" in parameters and "Size: 64x64" in parameters
