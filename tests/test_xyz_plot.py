"""X/Y/Z plots: axes as A1111 names them, every value checked first, a labelled grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sdstudio.cli import main
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.grids.axes import Axis
from sdstudio.engine.grids.grid_image import grid_image
from sdstudio.engine.grids.plan import XyzPlan
from sdstudio.engine.metadata.png_chunks import read_metadata, read_text_chunks


def test_the_cells_vary_the_settings_x_fastest() -> None:
    plan = XyzPlan((Axis.parse("CFG=3,7"), Axis.parse("Sampler=Euler, DDIM")))
    cells = plan.cells(GenerationRequest("a cat", seed=4))
    assert [(c.request.cfg_scale, c.request.scheduler) for c in cells] == [
        (3.0, "Euler"),
        (7.0, "Euler"),
        (3.0, "DDIM"),
        (7.0, "DDIM"),
    ]
    assert {c.request.seed for c in cells} == {4}


def test_sampler_values_are_read_in_any_case() -> None:
    axis = Axis.parse("Sampler=euler a, dpm++ 2m karras")
    base = GenerationRequest("a cat")
    assert [axis.apply(base, i).scheduler for i in (0, 1)] == ["Euler a", "DPM++ 2M Karras"]


def test_prompt_search_and_replace_and_lora_weight() -> None:
    base = GenerationRequest("a red circle <lora:shapes:0.5>")
    search = Axis.parse('Prompt S/R=red,"blue, bright"')
    assert search.apply(base, 1).prompt == "a blue, bright circle <lora:shapes:0.5>"
    assert (
        Axis.parse("LoRA weight=0.2,0.9").apply(base, 1).prompt == "a red circle <lora:shapes:0.9>"
    )


@pytest.mark.parametrize(
    ("axes", "message"),
    [
        (["Colour=red"], "An axis is NAME=V1,V2"),
        (["Steps=10,ten"], "Y axis|X axis \\(Steps\\): 'ten' is not a whole number"),
        (["CFG=3", "Steps=-1"], "Y axis \\(Steps\\): steps must be at least 1"),
        (["Sampler=Euler,Nope"], "Unknown scheduler 'Nope'"),
        (["Prompt S/R=green,blue"], "'green' is not in the prompt"),
        (["Seed=1", "Seed=2", "Seed=3", "Seed=4"], "one to three axes"),
    ],
)
def test_a_value_that_cannot_work_is_named_before_anything_runs(axes, message) -> None:
    with pytest.raises(RequestError, match=message):
        XyzPlan(tuple(Axis.parse(text) for text in axes)).cells(GenerationRequest("a red circle"))


def test_the_labels_are_a1111s() -> None:
    labels = [
        Axis.parse(text).labels()
        for text in ("Seed=1,2", "CFG=3,7.5", "Sampler=Euler, DDIM", "Prompt S/R=red,blue")
    ]
    assert labels == [
        ["Seed: 1", "Seed: 2"],
        ["CFG Scale: 3", "CFG Scale: 7.5"],
        ["Euler", "DDIM"],  # a sampler and a Prompt S/R value stand alone
        ["red", "blue"],
    ]
    assert [Axis.parse(t).labels()[0] for t in ("Steps=20", "Strength=0.5", "LoRA weight=0.8")] == [
        "Steps: 20",
        "Denoising: 0.5",
        "LoRA weight: 0.8",
    ]


def test_the_grid_has_a_cell_per_picture_and_room_for_the_labels() -> None:
    tiles = [
        [[Image.new("RGB", (32, 32), (40 * x, 40 * y, 0)) for x in range(3)] for y in range(2)]
    ]
    grid = grid_image(
        tiles, ["CFG Scale: 3", "CFG Scale: 7", "CFG Scale: 11"], ["Euler", "DDIM"], [""]
    )
    pixels = np.asarray(grid)
    assert grid.width > 3 * 32 and grid.height > 2 * 32  # labels above and to the left
    bottom_right = pixels[-16, -16]
    assert bottom_right.tolist() == [80, 40, 0]
    assert (pixels[:8] < 128).any()  # ink in the top label row


def test_sdstudio_generate_xyz_writes_the_cells_and_the_grid(tmp_path: Path, capsys) -> None:
    out = tmp_path / "grid.png"
    args = ["generate", "--prompt", "a red circle", "--steps", "2", "--seed", "3"]
    args += ["--width", "64", "--height", "64", "--output-dir", str(tmp_path / "cells")]
    assert main([*args, "--xyz", "CFG=3,9", "Steps=1,2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed[-1] == str(out) and len(printed) == 5
    records = [read_metadata(path).record for path in printed[:4]]
    assert [(r.cfg_scale, r.steps) for r in records] == [(3.0, 1), (9.0, 1), (3.0, 2), (9.0, 2)]
    with Image.open(out) as grid:
        assert grid.width > 2 * 64 and grid.height > 2 * 64
    parameters = read_text_chunks(out)["parameters"]
    assert "Script: X/Y/Z plot" in parameters and 'X Values: "3, 9"' in parameters
