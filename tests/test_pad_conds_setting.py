"""The "pad prompt and negative to the same length" setting: infotext, command line, panel."""

from __future__ import annotations

from sdstudio.cli import main
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import settings_from_infotext
from sdstudio.ui.controls_panel import ControlsPanel


def test_infotext_writes_pad_conds_as_a1111_only_when_on() -> None:
    on = parse_infotext(GenerationRecord(prompt="a fox", pad_prompt_lengths=True).infotext())
    off = parse_infotext(GenerationRecord(prompt="a fox").infotext())
    assert on.params["Pad conds"] == "True"
    assert "Pad conds" not in off.params


def test_restoring_reads_pad_conds_and_defaults_to_off() -> None:
    on = settings_from_infotext(parse_infotext("a fox\nSteps: 20, Seed: 1, Pad conds: True"))
    off = settings_from_infotext(parse_infotext("a fox\nSteps: 20, Seed: 1"))
    assert on.settings["pad_prompt_lengths"] is True
    assert off.settings["pad_prompt_lengths"] is False


def test_the_command_line_flag_turns_it_on(tmp_path) -> None:
    from PIL import Image

    out = tmp_path / "a.png"
    args = ["generate", "--prompt", "a red circle", "--pad-prompt-lengths", "--out", str(out)]
    assert main([*args, "--steps", "2", "--width", "64", "--height", "64", "--seed", "1"]) == 0
    with Image.open(out) as image:
        assert "Pad conds: True" in image.text["parameters"]


def test_the_panel_checkbox_sends_it(qtbot) -> None:
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    check = panel.findChild(type(panel.pad_check), "padPromptsCheck")
    assert not check.isChecked()
    check.setChecked(True)
    assert panel.build_request().pad_prompt_lengths is True
