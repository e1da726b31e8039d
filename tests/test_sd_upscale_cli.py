"""``sdstudio upscale --refine``: a PNG of the upscaled size carrying A1111's SD upscale
infotext; nothing written when stopped between tiles; refinement options without --refine
refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main
from sdstudio.engine.metadata import read_metadata
from tests.random_esrgan import random_picture

REFINE = [
    "--model", "Lanczos", "--scale", "2", "--refine", "--prompt", "a red square",
    "--steps", "3", "--strength", "0.5", "--seed", "5", "--tile-size", "64",
    "--overlap", "16", "--device", "cpu",
]  # fmt: skip


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    """In a folder of its own, where the PNG is written unless --out says otherwise."""
    path = tmp_path / "pictures" / "small.png"
    path.parent.mkdir()
    random_picture(48, 40).save(path)
    return path


def test_the_png_carries_the_sd_upscale_infotext(picture: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "refined.png"
    assert main(["upscale", str(picture), *REFINE, "--out", str(out)]) == 0
    with Image.open(out) as written:
        assert written.size == (96, 80)
    infotext = read_metadata(out).infotext
    assert infotext is not None and infotext.prompt == "a red square"
    params = infotext.params
    assert [params[key] for key in ("Steps", "Seed", "Size", "Denoising strength")] == [
        "3",
        "5",
        "64x64",
        "0.5",
    ]
    assert (params["SD upscale overlap"], params["SD upscale upscaler"]) == ("16", "Lanczos")
    assert list(params)[-1] == "Version"  # A1111 writes a script's keys before it
    assert f"Saved {out} (96x80)" in capsys.readouterr().out


def test_stopped_between_tiles_nothing_is_written(
    picture: Path, demo_model, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Ctrl+C arriving after the first refined tile: status 130 and no PNG."""
    from sdstudio.cli import upscale as command

    monkeypatch.setattr(command, "load_refine_model", lambda args: demo_model)
    original = command._TileProgress.__call__

    def interrupted_after_one_tile(self, done: int, total: int) -> None:
        original(self, done, total)
        if done == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(command._TileProgress, "__call__", interrupted_after_one_tile)
    out = picture.with_name("refined.png")
    assert main(["upscale", str(picture), *REFINE, "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(picture.parent.iterdir()) == [picture]


def test_refinement_options_without_refine_are_refused(picture: Path, capsys) -> None:
    code = main(["upscale", str(picture), "--model", "Lanczos", "--prompt", "a cat"])
    assert code == 2
    assert "--prompt refine the picture: add --refine" in capsys.readouterr().err
    assert list(picture.parent.iterdir()) == [picture]
