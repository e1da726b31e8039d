"""``sdstudio generate --mask`` and ``--outpaint``: files in, files out, messages for bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sdstudio.cli import main

FAST = ["--steps", "3", "--width", "64", "--height", "64", "--seed", "1"]


@pytest.fixture
def init_and_mask(tmp_path: Path) -> tuple[Path, Path]:
    init, mask = tmp_path / "init.png", tmp_path / "mask.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(init)
    pixels = np.zeros((64, 64), np.uint8)
    pixels[16:48, 8:40] = 255
    Image.fromarray(pixels).save(mask)
    return init, mask


def test_mask_repaints_only_inside(tmp_path: Path, init_and_mask) -> None:
    init, mask = init_and_mask
    out = tmp_path / "out.png"
    args = ["generate", "--prompt", "a red square", "--init", str(init), "--mask", str(mask)]
    assert main([*args, "--mask-blur", "0", "--out", str(out), *FAST]) == 0
    result, original = np.asarray(Image.open(out)), np.asarray(Image.open(init))
    outside = np.asarray(Image.open(mask)) == 0
    assert np.array_equal(result[outside], original[outside])
    assert np.abs(result[~outside].astype(int) - original[~outside]).mean() > 10


def test_outpaint_grows_the_picture(tmp_path: Path, init_and_mask) -> None:
    init, _ = init_and_mask
    out = tmp_path / "wider.png"
    args = ["generate", "--prompt", "a circle", "--init", str(init), "--outpaint", "32,0,0,8"]
    assert main([*args, "--strength", "1", "--out", str(out), *FAST]) == 0
    with Image.open(out) as image:
        assert image.size == (96, 72)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--mask", "{mask}"], "A mask needs an init image"),
        (["--init", "{init}", "--mask", "{black}"], "all black: nothing would be repainted"),
        (["--init", "{init}", "--mask", "{missing}"], "Mask not found"),
        (["--outpaint", "0,0,64,0"], "--outpaint needs --init"),
        (["--init", "{init}", "--outpaint", "5,0,0,0"], "multiples of 8"),
    ],
)
def test_bad_masks_give_one_line(tmp_path: Path, capsys, init_and_mask, extra, message) -> None:
    init, mask = init_and_mask
    black = tmp_path / "black.png"
    Image.new("L", (64, 64), 0).save(black)
    names = {"init": init, "mask": mask, "black": black, "missing": tmp_path / "nope.png"}
    filled_in = [part.format(**names) for part in extra]
    out = tmp_path / "x.png"
    assert main(["generate", "--prompt", "x", *filled_in, "--out", str(out), *FAST]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
