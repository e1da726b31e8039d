"""``sdstudio generate --controlnet …``: units from the command line steer the picture, are
written into its infotext as A1111's ControlNet extension writes them, and are reported (not
restored) when the settings are read back; bad unit options are one message and status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from sdstudio.cli import main
from sdstudio.engine.metadata import parse_infotext, read_metadata, restore_settings
from sdstudio.engine.metadata.restore import settings_from_infotext
from tests.helpers import max_pixel_difference
from tests.random_controlnet import build_random_controlnet, installed_controlnet

NAME = "cli-tiny-canny"
FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "7"]


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=9)


@pytest.fixture
def installed(tiny_controlnet) -> str:
    with installed_controlnet(tiny_controlnet, NAME) as name:
        yield name


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    """A white disc on black, wider than the run: canny finds its outline, resizing crops."""
    picture = Image.new("RGB", (96, 64), "black")
    ImageDraw.Draw(picture).ellipse((30, 12, 70, 52), fill="white")
    path = tmp_path / "shapes.png"
    picture.save(path)
    return path


def _parameters(path: Path) -> str:
    with Image.open(path) as image:
        return image.text["parameters"]


def _generate(out: Path, *extra: str) -> int:
    return main(["generate", "--prompt", "a red circle", "--out", str(out), *FAST, *extra])


def test_a_unit_changes_the_picture_and_is_written_as_a1111_writes_it(
    tmp_path: Path, installed: str, shapes: Path
) -> None:
    plain, controlled = tmp_path / "plain.png", tmp_path / "controlled.png"
    assert _generate(plain) == 0
    unit = ["--controlnet", installed, "--control-image", str(shapes)]
    assert (
        _generate(controlled, *unit, "--control-preprocessor", "canny", "--control-weight", "0.7")
        == 0
    )
    with Image.open(plain) as first, Image.open(controlled) as second:
        assert max_pixel_difference(first, second) > 10
    assert "ControlNet" not in _parameters(plain)
    params = parse_infotext(_parameters(controlled)).params
    assert params["ControlNet 0"] == (
        f"Module: canny, Model: {installed}, Weight: 0.7, Resize Mode: Crop and Resize, "
        "Threshold A: 100, Threshold B: 200, Guidance Start: 0, Guidance End: 1, "
        "Pixel Perfect: False, Control Mode: Balanced"
    )
    assert params["Seed"] == "7"  # the quoted commas did not swallow the pairs after it
    assert 'ControlNet 0: "Module: canny,' in _parameters(controlled)
    note = f"ControlNet 0 (canny, {installed}) needs its control image: not restored"
    assert note in restore_settings(read_metadata(controlled)).skipped


def test_two_units_are_written_in_order(tmp_path: Path, installed: str, shapes: Path) -> None:
    out = tmp_path / "two.png"
    first = ["--controlnet", installed, "--control-image", str(shapes)]
    second = [
        "--controlnet",
        installed,
        "--control-image",
        str(shapes),
        "--control-preprocessor",
        "invert",
        "--control-start",
        "0.5",
        "--control-mode",
        "controlnet",
        "--control-resize",
        "Resize and Fill",
    ]
    assert _generate(out, *first, *second) == 0
    params = parse_infotext(_parameters(out)).params
    assert params["ControlNet 0"].startswith(f"Module: none, Model: {installed}, Weight: 1,")
    assert params["ControlNet 1"] == (
        f"Module: invert, Model: {installed}, Weight: 1, Resize Mode: Resize and Fill, "
        "Guidance Start: 0.5, Guidance End: 1, Pixel Perfect: False, "
        "Control Mode: ControlNet is more important"
    )


def test_an_xyz_plot_runs_every_cell_with_the_units(
    tmp_path: Path, installed: str, shapes: Path, capsys
) -> None:
    out = tmp_path / "cells"
    unit = ["--controlnet", installed, "--control-image", str(shapes)]
    args = ["generate", "--prompt", "a red circle", "--output-dir", str(out), *FAST, *unit]
    assert main([*args, "--xyz", "CFG=3,7"]) == 0
    cells = sorted(path for path in out.glob("*.png") if "grid" not in path.name)
    assert len(cells) == 2
    for cell in cells:
        assert _parameters(cell).count('ControlNet 0: "Module: none, Model: ' + installed) == 1
    plain = tmp_path / "plain.png"
    assert _generate(plain, "--cfg", "3") == 0
    with Image.open(plain) as first, Image.open(cells[0]) as second:
        assert max_pixel_difference(first, second) > 10  # the unit steered the cell


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--control-weight", "0.5"], "--control-weight must follow a --controlnet MODEL"),
        (["--controlnet", "{name}"], "--controlnet cli-tiny-canny needs --control-image IMG"),
        (
            ["--controlnet", "{name}", "--control-image", "{img}", "--control-weight", "nan"],
            "must be a finite number",
        ),
        (
            ["--controlnet", "{name}", "--control-image", "{img}", "--control-weight", "3"],
            "--control-weight must be between 0 and 2, got 3",
        ),
        (
            [
                "--controlnet",
                "{name}",
                "--control-image",
                "{img}",
                "--control-start",
                "0.8",
                "--control-end",
                "0.2",
            ],
            "--control-start (0.8) must be below --control-end (0.2)",
        ),
        (
            [
                "--controlnet",
                "{name}",
                "--control-image",
                "{img}",
                "--control-weight",
                "1",
                "--control-weight",
                "2",
            ],
            "--control-weight given twice for --controlnet",
        ),
        (
            [
                "--controlnet",
                "{name}",
                "--control-image",
                "{img}",
                "--control-preprocessor",
                "sobel",
            ],
            "Unknown ControlNet preprocessor 'sobel'",
        ),
        (
            ["--controlnet", "no-such-controlnet", "--control-image", "{img}"],
            "No ControlNet named 'no-such-controlnet'",
        ),
        (["--controlnet", "{name}", "--control-image", "{missing}"], "Control image not found"),
        (
            ["--controlnet", "{name}", "--control-image", "{img}", "--control-mode", "strong"],
            "invalid choice: 'strong'",
        ),
    ],
)
def test_bad_unit_options_are_one_message_and_status_2(
    tmp_path: Path, installed: str, shapes: Path, capsys, options, message
) -> None:
    filled = [
        each.format(name=installed, img=shapes, missing=tmp_path / "missing.png")
        for each in options
    ]
    try:
        code = _generate(tmp_path / "bad.png", *filled)
    except SystemExit as stop:  # argparse refuses while reading the command line
        code = stop.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "bad.png").exists()


def test_an_a1111_unit_line_is_read_back_and_reported() -> None:
    text = (
        "a house\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, "
        'ControlNet 0: "Module: canny, Model: control_v11p_sd15_canny [d14c016b], Weight: 1.0, '
        "Resize Mode: Crop and Resize, Low Vram: False, Processor Res: 512, Threshold A: 100.0, "
        "Threshold B: 200.0, Guidance Start: 0.0, Guidance End: 1.0, Pixel Perfect: False, "
        'Control Mode: Balanced, Hr Option: Both", '
        'ControlNet 1: "Module: none, Model: control_depth, Weight: 0.5, Guidance Start: 0, '
        'Guidance End: 1, Control Mode: My prompt is more important", Version: v1.10.1'
    )
    infotext = parse_infotext(text)
    assert infotext.params["Version"] == "v1.10.1"
    restored = settings_from_infotext(infotext)
    assert restored.settings["seed"] == 1
    assert restored.skipped[-2:] == [
        "ControlNet 0 (canny, control_v11p_sd15_canny [d14c016b]) needs its control image: "
        "not restored",
        "ControlNet 1 (none, control_depth) needs its control image: not restored",
    ]
