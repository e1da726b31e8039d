"""The window's X/Y/Z plot: the dialog checks values, queues one job per cell, saves a grid."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from tests.ui_support import WAIT_MS, make_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_window(qtbot, demo_model, tmp_path / "out", steps=2)
    win.controls.preview_combo.setCurrentIndex(win.controls.preview_combo.findData("none"))
    win.controls.prompt_edit.setPlainText("a red circle")
    return win


def test_a_two_by_two_plot_saves_four_pictures_and_a_labelled_grid(window, qtbot, tmp_path):
    dialog = window.open_grid_dialog()
    dialog.set_axis(0, "Seed", "1, 2")
    dialog.set_axis(1, "Steps", "2, 3")
    assert dialog.ok_button.text() == "Queue 4 jobs"
    with qtbot.waitSignal(window.state.message, timeout=WAIT_MS, check_params_cb=_grid_saved):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    grids = list((tmp_path / "out").glob("*-grid.png"))
    assert len(grids) == 1
    assert len(list((tmp_path / "out").glob("*.png"))) == 5
    with Image.open(grids[0]) as grid:
        width, height = grid.size
        parameters = grid.info["parameters"]
    assert width > 2 * 64 and height > 2 * 64  # two by two cells plus the labels' margins
    assert width < 2 * 64 + 200 and height < 2 * 64 + 60
    assert "X Type: Seed" in parameters and "Y Type: Steps" in parameters


def _grid_saved(text: str, *_timeout: int) -> bool:
    return text.startswith("Saved the X/Y/Z grid to")


def test_a_value_that_cannot_run_is_named_and_nothing_is_queued(window, qtbot) -> None:
    dialog = window.open_grid_dialog()
    dialog.set_axis(0, "Steps", "2, many")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.message_label.text() == "X axis (Steps): 'many' is not a whole number"
    assert window.queue.model.rowCount() == 0


def test_without_an_axis_the_dialog_cannot_queue(window) -> None:
    dialog = window.open_grid_dialog()
    assert not dialog.ok_button.isEnabled()
    assert dialog.message_label.text() == "Choose at least one setting to vary."
