"""``--control-param NAME=VALUE``: a unit's preprocessor sliders from the command line reach the
preprocessor and the infotext ("Threshold A: 20"), for one job, every ``--prompts-file`` job
and every ``--xyz`` cell; a bad one is one message naming the unit and status 2, before the
model loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from sdstudio.cli import main
from sdstudio.engine.controlnet_preprocessors import preprocess
from sdstudio.engine.metadata import parse_infotext
from tests.helpers import max_pixel_difference
from tests.random_controlnet import build_random_controlnet, installed_controlnet

NAME = "cli-param-canny"
FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "7"]
LOW_HIGH = ["--control-param", "low_threshold=20", "--control-param", "high_threshold=60"]


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    """A tiny ControlNet that reads its map: the random one's biases outweigh a few edge
    pixels (1/255 apart), so its map embedding gets no biases and weights three times larger."""
    import torch

    controlnet = build_random_controlnet(demo_model.pipeline.unet, seed=9)
    with torch.no_grad():
        for conv in controlnet.controlnet_cond_embedding.modules():
            if isinstance(conv, torch.nn.Conv2d):
                conv.weight.mul_(3.0)
                conv.bias.zero_()
    return controlnet


@pytest.fixture
def installed(tiny_controlnet) -> str:
    with installed_controlnet(tiny_controlnet, NAME) as name:
        yield name


@pytest.fixture
def faint(tmp_path: Path) -> Path:
    """Faint 8-pixel squares (grey 20 on black) and a white disc: canny's defaults (100/200)
    find only the disc's outline, thresholds of 20/60 every square's too (a step of 20 grey
    levels is a Sobel gradient of 80 to 160)."""
    picture = Image.new("RGB", (64, 64), "black")
    draw = ImageDraw.Draw(picture)
    for top in range(0, 64, 8):
        for left in range(8 * (top // 8 % 2), 64, 16):
            draw.rectangle((left, top, left + 7, top + 7), fill=(20, 20, 20))
    draw.ellipse((16, 16, 48, 48), fill="white")
    path = tmp_path / "faint.png"
    picture.save(path)
    return path


def _unit_line(path: Path) -> str:
    with Image.open(path) as image:
        return parse_infotext(image.text["parameters"]).params["ControlNet 0"]


def _generate(out: Path, *extra: str) -> int:
    return main(["generate", "--prompt", "a red circle", "--out", str(out), *FAST, *extra])


def test_thresholds_reach_the_preprocessor_and_the_infotext(
    tmp_path: Path, installed: str, faint: Path
) -> None:
    with Image.open(faint) as picture:  # the premise: these thresholds make another map
        default_map = preprocess("canny", picture)
        lower_map = preprocess("canny", picture, low_threshold=20, high_threshold=60)
    assert max_pixel_difference(default_map, lower_map) == 255

    unit = ["--controlnet", installed, "--control-image", str(faint)]
    unit += ["--control-preprocessor", "canny"]
    defaults, lowered = tmp_path / "defaults.png", tmp_path / "lowered.png"
    assert _generate(defaults, *unit) == 0
    assert _generate(lowered, *unit, *LOW_HIGH) == 0
    assert "Threshold A: 100, Threshold B: 200," in _unit_line(defaults)
    assert "Threshold A: 20, Threshold B: 60," in _unit_line(lowered)
    with Image.open(defaults) as first, Image.open(lowered) as second:
        assert max_pixel_difference(first, second) > 10

    a1111 = tmp_path / "a1111.png"  # A1111 API's spellings name the same sliders
    spelled = ["--control-param", "threshold_b=60", "--control-param", "threshold_a=20"]
    assert _generate(a1111, *unit, *spelled) == 0
    assert "Threshold A: 20, Threshold B: 60," in _unit_line(a1111)
    with Image.open(lowered) as first, Image.open(a1111) as second:
        assert max_pixel_difference(first, second) == 0


def test_every_prompts_file_job_and_xyz_cell_keeps_the_parameters(
    tmp_path: Path, installed: str, faint: Path
) -> None:
    unit = ["--controlnet", installed, "--control-image", str(faint)]
    unit += [*LOW_HIGH, "--control-preprocessor", "canny"]  # parameters before the name
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red circle\n--prompt 'a blue square' --seed 3\n", encoding="utf-8")
    jobs, cells = tmp_path / "jobs", tmp_path / "cells"
    base = ["generate", *FAST, *unit]
    assert main([*base, "--prompts-file", str(prompts), "--output-dir", str(jobs)]) == 0
    assert main([*base, "--prompt", "a cat", "--output-dir", str(cells), "--xyz", "CFG=3,7"]) == 0
    made = sorted(jobs.glob("*.png")) + [
        path for path in sorted(cells.glob("*.png")) if "grid" not in path.name
    ]
    assert len(made) == 4
    for path in made:
        assert "Module: canny," in _unit_line(path)
        assert "Threshold A: 20, Threshold B: 60," in _unit_line(path)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--control-param", "low_threshold=50", "--controlnet", "{name}"],
            "--control-param must follow a --controlnet MODEL",
        ),
        (
            ["{unit}", "--control-param", "low_threshold"],
            "--control-param takes NAME=VALUE (e.g. low_threshold=50), got 'low_threshold'",
        ),
        (["{unit}", "--control-param", "=50"], "--control-param takes NAME=VALUE"),
        (["{unit}", "--control-param", "low_threshold=many"], "'many' is not a number"),
        (["{unit}", "--control-param", "low_threshold=nan"], "must be a finite number"),
        (
            ["{unit}", "--control-param", "low_threshold=5", "--control-param", "low_threshold=6"],
            "--control-param low_threshold given twice for --controlnet cli-param-canny",
        ),
        (
            ["{unit}", "--control-param", "sharpness=3"],
            "--controlnet cli-param-canny (ControlNet 0), --control-param: The canny "
            "preprocessor has no parameter sharpness. It takes: low_threshold, "
            "high_threshold. A1111's threshold_a (low_threshold) and threshold_b "
            "(high_threshold) are taken too.",
        ),
        (
            ["{unit}", "--control-param", "high_threshold=300"],
            "(ControlNet 0), --control-param: The canny preprocessor's High Threshold must be "
            "between 0 and 256, not 300.",
        ),
        (
            ["{unit}", "--control-param", "low_threshold=20.5"],
            "Low Threshold must be a whole number, not 20.5.",
        ),
        (
            ["{unit}", "--control-param", "low_threshold=150", "--control-param", "threshold_b=90"],
            "Low Threshold (150) must not be above its High Threshold (90)",
        ),
        (
            ["{unit}", "--control-param", "threshold_a=20", "--control-param", "low_threshold=30"],
            "--control-param: threshold_a and low_threshold both set low_threshold",
        ),
        (
            ["{unit}", "--control-param", "processor_res=512"],
            "--control-param processor_res: not taken, since preprocessors here run at the "
            "picture's own size",
        ),
        (
            [
                "{unit}",
                "--controlnet",
                "{name}",
                "--control-image",
                "{img}",
                "--control-preprocessor",
                "shuffle",
                "--control-param",
                "threshold_a=3",
            ],
            "--controlnet cli-param-canny (ControlNet 1), --control-param: The shuffle "
            "preprocessor has no parameter threshold_a. It takes: seed.",
        ),
        (
            ["--controlnet", "{name}", "--control-image", "{img}", "--control-param", "seed=1"],
            "The none preprocessor has no parameter seed. It takes: none.",
        ),
    ],
)
def test_bad_parameters_are_one_message_and_status_2(
    tmp_path: Path, installed: str, faint: Path, capsys, options, message
) -> None:
    unit = ["--controlnet", installed, "--control-image", str(faint)]
    unit += ["--control-preprocessor", "canny"]
    filled: list[str] = []
    for each in options:
        filled += unit if each == "{unit}" else [each.format(name=installed, img=faint)]
    try:
        code = _generate(tmp_path / "bad.png", *filled)
    except SystemExit as stop:  # argparse refuses while reading the command line
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1  # not generate's whole usage
    assert not (tmp_path / "bad.png").exists()
