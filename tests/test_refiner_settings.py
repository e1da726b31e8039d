"""The refiner as a setting: request checks, A1111 infotext, the command line and the panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdstudio.cli import main
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.metadata import read_metadata
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import settings_from_infotext
from sdstudio.ui.controls_panel import ControlsPanel
from tests.random_sdxl_model import build_random_sdxl_pipeline

REFINER = "stabilityai/stable-diffusion-xl-refiner-1.0"


def test_infotext_names_the_refiner_and_its_switch_as_a1111_does() -> None:
    record = GenerationRecord(prompt="a fox", refiner=REFINER, refiner_switch=0.65)
    params = parse_infotext(record.infotext()).params
    assert params["Refiner"] == REFINER
    assert params["Refiner switch at"] == "0.65"


def test_infotext_without_a_refiner_says_nothing_of_one() -> None:
    params = parse_infotext(GenerationRecord(prompt="a fox").infotext()).params
    assert "Refiner" not in params and "Refiner switch at" not in params


def test_the_refiner_comes_back_from_infotext() -> None:
    record = GenerationRecord(prompt="a fox", refiner=REFINER, refiner_switch=0.65)
    restored = settings_from_infotext(parse_infotext(record.infotext()))
    assert restored.settings["refiner"] == REFINER
    assert restored.settings["refiner_switch"] == 0.65


def test_an_a1111_refiner_name_comes_back_without_its_hash() -> None:
    text = (
        "a fox\nSteps: 20, Seed: 1, Refiner: sd_xl_refiner_1.0 [7440042bbd], Refiner switch at: 0.8"
    )
    restored = settings_from_infotext(parse_infotext(text))
    assert restored.settings["refiner"] == "sd_xl_refiner_1.0"
    assert restored.settings["refiner_switch"] == 0.8


@pytest.mark.parametrize("switch", [0.0, 1.0, 1.5])
def test_a_switch_outside_the_steps_is_refused(switch: float) -> None:
    with pytest.raises(RequestError, match="refiner switch at must be between 0.01 and 0.99"):
        GenerationRequest("a fox", refiner=REFINER, refiner_switch=switch)


def test_the_command_line_runs_a_refiner_and_records_it(tmp_path: Path, capsys) -> None:
    base, refiner = tmp_path / "tiny-sdxl", tmp_path / "tiny-sdxl-refiner"
    build_random_sdxl_pipeline().save_pretrained(base)
    build_random_sdxl_pipeline(refiner=True).save_pretrained(refiner)
    out = tmp_path / "refined.png"
    args = ["generate", "--model", str(base), "--prompt", "a lighthouse", "--seed", "3"]
    args += ["--steps", "4", "--width", "64", "--height", "64", "--out", str(out)]
    assert main([*args, "--refiner", str(refiner), "--refiner-switch", "0.5"]) == 0
    params = read_metadata(out).infotext.params
    assert params["Refiner"] == str(refiner) and params["Refiner switch at"] == "0.5"


def test_a_refiner_that_cannot_load_is_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.png"
    args = ["generate", "--prompt", "a cat", "--steps", "2", "--out", str(out)]
    assert main([*args, "--refiner", str(tmp_path / "nowhere")]) != 0
    error = capsys.readouterr().err
    assert "nowhere" in error and "Traceback" not in error
    assert not out.exists()


def test_the_panel_builds_a_request_with_the_refiner(qtbot) -> None:
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    switch = panel.refiner_row.switch_spin
    assert not switch.isEnabled()  # no refiner: nothing to switch to
    qtbot.keyClicks(panel.refiner_row.edit, f"  {REFINER} ")
    assert switch.isEnabled()
    switch.setValue(0.7)
    request = panel.build_request()
    assert (request.refiner, request.refiner_switch) == (REFINER, 0.7)
