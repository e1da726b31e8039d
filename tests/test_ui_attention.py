"""Attention maps from the window: the prompt's own tokens, a heat map over the result."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from sdstudio.ui.probes.attention_panel import OFF_TEXT
from sdstudio.ui.worker_events import AttentionReady
from tests.probes_support import our_processors
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, wait_for

PROMPT = "a red circle on the left"


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_window(qtbot, demo_model, tmp_path / "out")
    win.controls.scheduler_combo.setCurrentText("Euler")
    win.controls.prompt_edit.setPlainText(PROMPT)
    return win


def canvas_pixels(window) -> QImage:
    """What the canvas shows on screen, overlay included."""
    return window.canvas.viewport().grab().toImage()


def run_with_capture(window, qtbot) -> None:
    panel = window.inspection.attention
    panel.capture_check.setChecked(True)
    with wait_for(qtbot, window.worker, AttentionReady):
        generate_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: window.inspection.overlay.is_shown(), timeout=WAIT_MS)


def test_capture_is_off_by_default_and_nothing_is_captured(window, qtbot, demo_model) -> None:
    panel = window.inspection.attention
    assert not panel.capture_check.isChecked()
    assert panel.status.text() == OFF_TEXT

    generate_and_wait(qtbot, window)

    assert panel.tokens() == [] and not panel.token_combo.isEnabled()
    assert not window.inspection.overlay.is_shown()
    assert our_processors(demo_model.pipeline) == []


def test_the_token_list_is_the_tokenizers_own_split(window, qtbot, demo_model) -> None:
    run_with_capture(window, qtbot)

    panel = window.inspection.attention
    assert panel.tokens() == demo_model.pipeline.tokenizer.tokenize(PROMPT)
    assert panel.tokens()[:4] == ["a</w>", "red</w>", "circle</w>", "on</w>"]
    assert "cross-attention layers" in panel.status.text()
    assert our_processors(demo_model.pipeline) == []


def test_picking_a_token_changes_the_canvas(window, qtbot) -> None:
    run_with_capture(window, qtbot)
    panel = window.inspection.attention
    panel.opacity_slider.setValue(100)
    panel.token_combo.setCurrentIndex(panel.tokens().index("circle</w>"))
    circle = canvas_pixels(window)

    panel.token_combo.setCurrentIndex(panel.tokens().index("left</w>"))

    assert canvas_pixels(window) != circle


def test_opacity_zero_shows_the_plain_result(window, qtbot) -> None:
    run_with_capture(window, qtbot)
    panel = window.inspection.attention
    with_heat = canvas_pixels(window)
    panel.show_check.setChecked(False)
    plain = canvas_pixels(window)
    panel.show_check.setChecked(True)
    assert with_heat != plain

    panel.opacity_slider.setValue(0)

    assert panel.opacity_label.text() == "0 %"
    assert canvas_pixels(window) == plain


def test_the_overlay_belongs_to_the_result_not_to_step_previews(window, qtbot) -> None:
    run_with_capture(window, qtbot)
    slider = window.scrubber.slider
    overlay = window.inspection.overlay

    slider.setValue(0)
    assert not overlay.is_shown()
    slider.setValue(slider.maximum())
    assert overlay.is_shown()
