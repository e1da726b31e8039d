"""A stranger's PNG whose parameters hold a huge prompt: restored cut, with a note."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from sdstudio.engine.generation.settings import MAX_PROMPT_LENGTH
from sdstudio.engine.metadata import read_metadata, restore_settings
from tests.ui_support import WAIT_MS, make_window

PROMPT = ("a red fox in the snow, " * 50_000)[:1_000_000]


def _png_with_a_huge_prompt(path: Path) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        f"{PROMPT}\nNegative prompt: blurry\nSteps: 7, Sampler: Euler, CFG scale: 6, Seed: 5, "
        "Size: 64x64",
    )
    Image.new("RGB", (64, 64)).save(path, pnginfo=info)
    return path


def test_a_huge_prompt_is_restored_cut_to_the_allowed_length(tmp_path: Path) -> None:
    restored = restore_settings(read_metadata(_png_with_a_huge_prompt(tmp_path / "big.png")))
    assert restored.settings["prompt"] == PROMPT[:MAX_PROMPT_LENGTH]
    assert restored.settings["steps"] == 7  # the rest of the file still restores
    assert "the prompt was cut to its first 65,536 characters (of 1,000,000)" in restored.skipped


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_window_restores_it_and_says_it_was_cut(qtbot, demo_model, tmp_path: Path) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    window.image_opener.restore_from(_png_with_a_huge_prompt(tmp_path / "big.png"))
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Restored"), timeout=WAIT_MS
    )
    assert window.controls.prompt_edit.toPlainText() == PROMPT[:MAX_PROMPT_LENGTH]
    assert "cut to its first 65,536 characters" in window.statusBar().currentMessage()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_dialog_shows_the_head_and_the_settings_of_a_huge_text(qtbot, tmp_path: Path) -> None:
    """Laying out a 10 MB text took Qt about 5 s on the GUI thread (0.1 s with the cap)."""
    from sdstudio.ui.parameters_dialog import MAX_SHOWN, ParametersDialog

    path = tmp_path / "huge.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", f"{PROMPT * 10}\nSteps: 7, Sampler: Euler, CFG scale: 6, Seed: 5")
    Image.new("RGB", (64, 64)).save(path, pnginfo=info)
    dialog = ParametersDialog(path.name, read_metadata(path))
    qtbot.addWidget(dialog)
    shown = dialog.parameters_edit.toPlainText()
    assert len(shown) < MAX_SHOWN + 100
    assert shown.startswith(PROMPT[:1000])
    assert f"[… {10 * len(PROMPT) + 48 - MAX_SHOWN:,} characters not shown …]" in shown
    assert shown.endswith("\nSteps: 7, Sampler: Euler, CFG scale: 6, Seed: 5")
    assert dialog.restore_button.isEnabled()
