""" "Upscale…" in the window: a history item or the canvas's picture upscaled off the GUI thread,
saved as the next numbered PNG with its source's parameters and A1111's postprocessing line,
listed in History and shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from sdstudio.engine.metadata.png_chunks import read_text_chunks
from sdstudio.engine.paths import upscalers_dir
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.upscale.upscale_dialog import UpscaleDialog
from tests.random_esrgan import save_random_esrgan
from tests.ui_support import WAIT_MS, generate_and_wait, make_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def window_with_a_result(qtbot, demo_model, tmp_path: Path) -> MainWindow:
    window = make_window(qtbot, demo_model, tmp_path / "out", steps=2)
    window.controls.prompt_edit.setPlainText("a red circle")
    generate_and_wait(qtbot, window)
    return window


def upscale_with(qtbot, window: MainWindow, dialog: UpscaleDialog, name: str, by: float) -> None:
    """Choose ``name`` and ``by`` in the dialog, press Upscale, wait for the saved picture."""
    dialog.upscaler_combo.setCurrentIndex(dialog.upscaler_combo.findData(name))
    dialog.factor_spin.setValue(by)
    rows = window.history.model.rowCount()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.history.model.rowCount() == rows + 1, timeout=WAIT_MS)


def first_history_path(window: MainWindow) -> Path:
    return window.history.model.entry(window.history.model.index(0)).path


def test_upscale_on_a_history_item_saves_a_png_of_twice_the_size_with_its_text(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window = window_with_a_result(qtbot, demo_model, tmp_path)
    source = first_history_path(window)
    history = window.history
    history.view.setCurrentIndex(history.model.index(0))

    history.upscale_action.trigger()
    upscale_with(qtbot, window, window.upscaling.dialog, "Lanczos", 2.0)

    saved = first_history_path(window)
    assert saved.parent == source.parent and saved.name.endswith("-upscaled.png")
    assert saved.name[:5] == f"{int(source.name[:5]) + 1:05d}"  # the next number
    with Image.open(saved) as picture:
        assert picture.size == (128, 128)
    texts, original = read_text_chunks(saved), read_text_chunks(source)
    assert texts["postprocessing"] == "Postprocess upscale by: 2, Postprocess upscaler: Lanczos"
    assert texts["parameters"] == original["parameters"]  # restores as the source did
    shown = window.canvas.current_pixmap()
    assert (shown.width(), shown.height()) == (128, 128)
    assert str(saved) in window.statusBar().currentMessage()


def test_upscale_on_the_canvas_takes_the_shown_result_and_its_parameters(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window = window_with_a_result(qtbot, demo_model, tmp_path)
    source = window.result().path
    action = window.window_actions.upscale
    assert action.objectName() == "upscaleAction" and action.isEnabled()

    action.trigger()
    dialog = window.upscaling.dialog
    assert dialog.source_label.text() == f"Upscale {source.name} (64×64)"
    upscale_with(qtbot, window, dialog, "Nearest", 1.5)

    saved = first_history_path(window)
    with Image.open(saved) as picture:
        assert picture.size == (96, 96)
    texts = read_text_chunks(saved)
    assert "Postprocess upscaler: Nearest" in texts["postprocessing"]
    assert texts["parameters"].startswith("a red circle")


def test_the_dialog_says_the_size_it_makes(qtbot, demo_model, tmp_path: Path) -> None:
    window = window_with_a_result(qtbot, demo_model, tmp_path)
    window.window_actions.upscale.trigger()
    dialog = window.upscaling.dialog

    dialog.factor_spin.setValue(3.0)

    assert dialog.objectName() == "upscaleDialog"
    assert dialog.size_note.text() == "64×64 → 192×192"


@pytest.fixture
def tiny_esrgan() -> Iterator[str]:
    """A random-weight ESRGAN in the upscalers folder (shared by the run: taken away after)."""
    path = save_random_esrgan(upscalers_dir(), "upscale-tiny-esrgan")
    yield path.stem
    path.unlink(missing_ok=True)


def test_cancel_in_the_status_bar_stops_a_model_upscale_and_saves_nothing(
    qtbot, demo_model, tmp_path: Path, tiny_esrgan: str
) -> None:
    window = window_with_a_result(qtbot, demo_model, tmp_path)
    window.window_actions.upscale.trigger()
    dialog = window.upscaling.dialog
    combo = dialog.upscaler_combo
    qtbot.waitUntil(lambda: combo.findData(tiny_esrgan) >= 0, timeout=WAIT_MS)
    combo.setCurrentIndex(combo.findData(tiny_esrgan))
    runner = window.upscaling.runner
    rows = window.history.model.rowCount()

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert runner.progress.isVisible()
    qtbot.mouseClick(runner.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.running, timeout=WAIT_MS)

    assert window.statusBar().currentMessage() == "Upscale cancelled."
    assert not runner.progress.isVisible()
    assert window.history.model.rowCount() == rows
    assert not list((tmp_path / "out").glob("*-upscaled.png"))


def test_upscale_is_off_while_the_canvas_is_empty(qtbot, tmp_path: Path) -> None:
    window = MainWindow(output_dir=tmp_path / "out", device="cpu")
    qtbot.addWidget(window)

    assert not window.window_actions.upscale.isEnabled()


def test_a_history_file_that_went_away_is_said_not_upscaled(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window = window_with_a_result(qtbot, demo_model, tmp_path)
    history = window.history
    history.view.setCurrentIndex(history.model.index(0))
    first_history_path(window).unlink()

    history.upscale_action.trigger()

    assert window.upscaling.dialog is None
    assert "may have been moved" in window.statusBar().currentMessage()
