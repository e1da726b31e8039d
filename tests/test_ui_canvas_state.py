"""What the canvas shows after the picture changes hands: no stale scrubber, no jumping image."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication

from sdstudio.engine.metadata import GenerationRecord, save_generation
from tests.ui_support import generate_and_wait, make_window


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_window(qtbot, demo_model, tmp_path / "out")
    win.controls.scheduler_combo.setCurrentText("Euler")
    return win


def _laid_out() -> None:
    QApplication.sendPostedEvents()  # the layout's pending requests


def _colour_at_centre(window) -> tuple[int, int, int]:
    image = window.canvas.current_pixmap().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def test_opening_an_init_image_hides_the_last_runs_scrubber(window, qtbot, tmp_path) -> None:
    generate_and_wait(qtbot, window)
    assert window.scrubber.isVisible()
    path = tmp_path / "init.png"
    Image.new("RGB", (64, 64), (20, 200, 40)).save(path)

    with qtbot.waitSignal(window.init_images.opened):
        window.init_images.open(path)

    assert not window.scrubber.isVisible()  # its steps were the last result's
    assert _colour_at_centre(window) == (20, 200, 40)
    window.init_images.clear()
    assert window.scrubber.isVisible()  # back with the result it belongs to
    assert window.canvas.current_pixmap().toImage().size() == window.result().image.size()


def test_restoring_settings_from_the_history_shows_that_image(window, qtbot, tmp_path) -> None:
    record = GenerationRecord("a blue kite", steps=7, seed=91, width=96, height=80)
    save_generation(Image.new("RGB", (96, 80), (30, 60, 220)), record, tmp_path / "out")
    window.history.model.reload_folder()
    view = window.history.view
    view.setCurrentIndex(view.model().index(0, 0))

    with qtbot.waitSignal(window.state.message):  # the settings are read in the background
        window.history.restore_action.trigger()

    assert window.controls.prompt_edit.toPlainText() == "a blue kite"
    shown = window.canvas.current_pixmap().toImage()
    assert (shown.width(), shown.height()) == (96, 80)
    assert _colour_at_centre(window) == (30, 60, 220)


def test_the_canvas_keeps_its_size_when_the_scrubber_appears(window, qtbot) -> None:
    _laid_out()
    assert not window.scrubber.isVisible()
    before = window.canvas.size()

    generate_and_wait(qtbot, window)
    _laid_out()

    assert window.scrubber.isVisible()
    assert window.canvas.size() == before  # so a fitted image does not jump
