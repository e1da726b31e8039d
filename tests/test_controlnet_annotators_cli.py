"""The command line's depth preprocessor reads the default folder
(``SDSTUDIO_HOME/models/annotators/depth``): refused with that folder named while it is empty,
run from it once weights are there."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from sdstudio.cli import main
from sdstudio.engine.controlnet_preprocessors import annotator_weights
from tests.random_controlnet import build_random_controlnet, installed_controlnet
from tests.tiny_annotators import save_tiny_dpt

NAME = "cli-tiny-depth"
FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "7"]


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=5)


@pytest.fixture
def installed(tiny_controlnet) -> str:
    with installed_controlnet(tiny_controlnet, NAME) as name:
        yield name


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    image = Image.new("RGB", (96, 64), (20, 40, 60))
    ImageDraw.Draw(image).ellipse((30, 12, 70, 52), fill="white")
    path = tmp_path / "picture.png"
    image.save(path)
    return path


@pytest.fixture
def default_folder(tmp_path: Path, monkeypatch) -> Path:
    """The default depth folder, in this test's own place (the models folder is shared)."""
    folders = tmp_path / "annotators"
    monkeypatch.setattr(annotator_weights, "default_annotator_dir", lambda kind: folders / kind)
    return folders / "depth"


def _generate(out: Path, name: str, picture: Path) -> int:
    return main(
        [
            "generate", "--prompt", "a ball", "--out", str(out), *FAST,
            "--controlnet", name, "--control-image", str(picture),
            "--control-preprocessor", "depth",
        ]
    )  # fmt: skip


def test_without_weights_the_message_names_the_default_folder(
    tmp_path: Path, installed: str, picture: Path, default_folder: Path, capsys
) -> None:
    code = _generate(tmp_path / "depth.png", installed, picture)

    assert code == 2
    error = capsys.readouterr().err
    assert f"in {default_folder}, the default folder" in error
    assert 'choose the preprocessor "none"' in error
    assert not (tmp_path / "depth.png").exists()


def test_weights_in_the_default_folder_make_the_map_and_the_infotext_names_it(
    tmp_path: Path, installed: str, picture: Path, default_folder: Path
) -> None:
    save_tiny_dpt(default_folder)

    assert _generate(tmp_path / "depth.png", installed, picture) == 0

    with Image.open(tmp_path / "depth.png") as image:
        assert '"Module: depth, Model: cli-tiny-depth' in image.text["parameters"]
