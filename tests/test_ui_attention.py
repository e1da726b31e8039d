"""Attention maps from the window: the prompt's words (the tokenizer's pieces as a detail),
a heat map over the result once a word is picked, and its colour legend."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from sdstudio.ui.probes.attention_panel import OFF_TEXT, PICK_TEXT
from sdstudio.ui.probes.heat_legend import format_share
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


def run_with_capture(window, qtbot, word: str | None = "circle") -> None:
    """A run with capture on; then ``word`` picked, as a user would (None: none picked)."""
    panel = window.inspection.attention
    panel.capture_check.setChecked(True)
    with wait_for(qtbot, window.worker, AttentionReady):
        generate_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: panel.words() != [], timeout=WAIT_MS)
    if word is not None:
        panel.pick(word)
        qtbot.waitUntil(lambda: window.inspection.overlay.is_shown(), timeout=WAIT_MS)


def test_capture_is_off_by_default_and_nothing_is_captured(window, qtbot, demo_model) -> None:
    panel = window.inspection.attention
    assert not panel.capture_check.isChecked()
    assert panel.status.text() == OFF_TEXT

    generate_and_wait(qtbot, window)

    assert panel.words() == [] and not panel.token_combo.isEnabled()
    assert not window.inspection.overlay.is_shown()
    assert our_processors(demo_model.pipeline) == []


def test_the_list_shows_the_prompts_words(window, qtbot, demo_model) -> None:
    run_with_capture(window, qtbot, word=None)

    panel = window.inspection.attention
    assert panel.words() == PROMPT.split()
    assert "cross-attention layers" in panel.status.text()
    assert our_processors(demo_model.pipeline) == []


def test_words_are_decoded_not_byte_symbols_with_their_pieces_as_a_detail(
    window, qtbot, demo_model
) -> None:
    window.controls.prompt_edit.setPlainText("red café")
    run_with_capture(window, qtbot, word=None)

    panel = window.inspection.attention
    assert panel.words() == ["red", "café"]
    pieces = demo_model.pipeline.tokenizer.tokenize("café")
    assert len(pieces) > 1 and any(symbol in "".join(pieces) for symbol in "ÃĢ")
    tip = panel.token_combo.itemData(1, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"{len(pieces)} tokens: {' · '.join(pieces)} (positions 2–")


def test_nothing_is_overlaid_until_a_word_is_picked(window, qtbot) -> None:
    run_with_capture(window, qtbot, word=None)
    panel, overlay = window.inspection.attention, window.inspection.overlay
    assert panel.token_combo.currentIndex() == -1
    assert panel.token_combo.currentText() == "" and panel.heat() is None
    assert panel.token_combo.placeholderText() == PICK_TEXT
    assert not overlay.is_shown() and not panel.legend.isVisible()
    plain = canvas_pixels(window)

    panel.pick("circle")

    assert overlay.is_shown()
    assert canvas_pixels(window) != plain


def test_a_picked_word_stays_picked_for_the_next_run(window, qtbot) -> None:
    run_with_capture(window, qtbot, word="left")
    with wait_for(qtbot, window.worker, AttentionReady):
        generate_and_wait(qtbot, window)
    panel = window.inspection.attention
    qtbot.waitUntil(lambda: window.inspection.overlay.is_shown(), timeout=WAIT_MS)
    assert panel.token_combo.currentText() == "left"


def test_the_legend_runs_from_0_to_the_maps_largest_share(window, qtbot) -> None:
    run_with_capture(window, qtbot, word="circle")
    panel = window.inspection.attention
    legend = window.findChild(QWidget, "attentionLegend")
    word = panel.word()
    share = panel.maps().probabilities[word.indices].sum(axis=0).max()

    assert legend.isVisible()
    assert legend.low_label.text() == "0"
    assert legend.high_label.text() == format_share(share)
    assert 0.0 < float(legend.high_label.text()) <= 1.0
    bar = legend.bar.pixmap().toImage()
    assert bar.pixelColor(0, 0).getRgb()[:3] == (0, 0, 4)  # the heat map's darkest colour
    assert bar.pixelColor(bar.width() - 1, 0).getRgb()[:3] == (252, 255, 164)

    panel.pick("left")
    left = panel.maps().probabilities[panel.word().indices].sum(axis=0).max()
    assert legend.high_label.text() == format_share(left)


def test_picking_a_token_changes_the_canvas(window, qtbot) -> None:
    run_with_capture(window, qtbot)
    panel = window.inspection.attention
    panel.opacity_slider.setValue(100)
    panel.pick("circle")
    circle = canvas_pixels(window)

    panel.pick("left")

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
