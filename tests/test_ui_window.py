"""Driving the real window: prompt, Generate, previews, result, cancel, close, init images."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QLabel, QMessageBox

from sdstudio.engine.models.demo.model import DEMO_LABEL
from sdstudio.ui.worker_events import RunCancelled, RunDone, RunProgress, StepPreview
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, thread_stacks, wait_for


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_window(qtbot, demo_model, tmp_path / "out")
    win.controls.scheduler_combo.setCurrentText("Euler")
    return win


def _drop_files(window, *paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.canvas.dropEvent(event)


def _status(window) -> str:
    return window.statusBar().currentMessage()


def _queue_state(window) -> str:
    """What a job that did not start was waiting for (for a failing test's message)."""
    queue, worker = window.queue, window.worker
    return (
        f"status={_status(window)!r} jobs={[q.state for q in queue.model.jobs()]} "
        f"paused={queue.paused} running={queue.running_job} loading={queue.loading_model} "
        f"busy={worker.busy} alive={worker.running} ready={worker.model_ready}"
    )


def test_demo_label_is_visible(window) -> None:
    label = window.findChild(QLabel, "modelDescriptionLabel")
    assert label.isVisible() and label.text() == DEMO_LABEL


def test_type_a_prompt_click_generate_get_previews_and_the_image(window, qtbot, tmp_path):
    previews = []
    window.worker.on(StepPreview, lambda event: previews.append(event.frame.step))
    qtbot.keyClicks(window.controls.prompt_edit, "a quiet harbour")
    with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS) as shown:
        qtbot.mouseClick(window.run_bar.generate_button, Qt.MouseButton.LeftButton)
        assert window.run_bar.generate_button.isEnabled()  # another click queues a job
        assert window.run_bar.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not window.run_bar.cancel_button.isEnabled(), timeout=WAIT_MS)
    result = shown.args[0]
    assert result.request.prompt == "a quiet harbour"
    assert previews and previews[-1] == 3
    assert window.canvas.current_pixmap().toImage() == result.image.convertToFormat(
        window.canvas.current_pixmap().toImage().format()
    )
    assert result.path.exists() and result.path.parent == tmp_path / "out"
    assert _status(window) == f"Saved image to {result.path}"
    assert window.run_bar.progress_bar.format().startswith("Done in")
    # The scrubber now walks through the stored previews and ends on the result.
    slider = window.scrubber.slider
    assert window.scrubber.isVisible() and slider.maximum() == 3
    slider.setValue(0)
    assert window.scrubber.label.text() == "Step 1/3"
    assert window.canvas.image_size().width() == 64  # small previews are stretched


def test_ctrl_enter_generates_from_the_prompt_field(window, qtbot) -> None:
    window.controls.preview_combo.setCurrentIndex(window.controls.preview_combo.findData("none"))
    window.controls.prompt_edit.setFocus()
    with wait_for(qtbot, window.worker, RunDone):
        qtbot.keyClick(
            window.controls.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    assert window.result() is not None
    assert window.controls.prompt_edit.toPlainText() == ""  # no newline was typed


def test_cancel_mid_run(window, qtbot) -> None:
    window.controls.steps_spin.setValue(60)
    with wait_for(qtbot, window.worker, RunProgress):
        assert window.generate()
    with wait_for(qtbot, window.worker, RunDone):
        qtbot.mouseClick(window.run_bar.cancel_button, Qt.MouseButton.LeftButton)
    assert _status(window).startswith("Cancelled after step")
    assert window.result() is None
    assert window.run_bar.generate_button.isEnabled()
    assert window.run_bar.progress_bar.format() == "Cancelled"


def test_escape_cancels(window, qtbot) -> None:
    window.controls.steps_spin.setValue(60)
    with wait_for(qtbot, window.worker, RunProgress):
        assert window.generate()
    with wait_for(qtbot, window.worker, RunCancelled):
        qtbot.keyClick(window, Qt.Key.Key_Escape)


def test_close_during_a_run_stops_cleanly(window, qtbot) -> None:
    window.controls.steps_spin.setValue(60)
    with wait_for(qtbot, window.worker, RunProgress):
        assert window.generate()
    assert window.close()
    assert not window.worker.running  # the autouse fixture also checks no thread is left


def test_dropping_a_non_image_file_is_a_message(window, qtbot, tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    with qtbot.waitSignal(window.init_images.failed, timeout=WAIT_MS):
        _drop_files(window, notes)
    assert _status(window).startswith("Cannot read notes.txt as an image")
    assert window.init_images.image() is None
    assert window.run_bar.generate_button.isEnabled()


def test_img2img_with_an_opened_init_image(window, qtbot, tmp_path) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (96, 80), (200, 40, 40)).save(photo)
    with qtbot.waitSignal(window.init_images.opened, timeout=WAIT_MS) as opened:
        window.init_images.open(photo)
    assert opened.args == [str(photo)]
    assert window.controls.strength_row.spin.isEnabled()
    assert "photo.png (96 × 80)" in window.controls.strength_row.init_label.text()
    assert window.canvas.image_size().width() == 96  # the init image is shown
    window.controls.strength_row.spin.setValue(0.5)
    window.controls.steps_spin.setValue(4)
    with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS, raising=False) as shown:
        assert window.generate(), _status(window)
    assert shown.signal_triggered, _queue_state(window) + "\n" + thread_stacks()
    result = shown.args[0]
    assert result.request.is_img2img and result.request.strength == 0.5
    assert [frame.step for frame in result.frames] == [1, 2]  # 4 steps × 0.5 strength
    qtbot.waitUntil(lambda: window.window_actions.compare.isEnabled(), timeout=WAIT_MS)
    window.window_actions.compare.setChecked(True)
    red = window.canvas.current_pixmap().toImage().pixelColor(5, 5)
    assert (red.red(), red.green(), red.blue()) == (200, 40, 40)
    window.window_actions.compare.setChecked(False)
    assert window.canvas.current_pixmap().toImage().size() == result.image.size()
    qtbot.mouseClick(window.controls.strength_row.clear_button, Qt.MouseButton.LeftButton)
    assert window.init_images.image() is None and not window.window_actions.compare.isEnabled()


def test_pasting_an_image_makes_it_the_init_image(window) -> None:
    image = QImage(40, 24, QImage.Format.Format_RGB888)
    image.fill(Qt.GlobalColor.blue)
    mime = QMimeData()
    mime.setImageData(image)
    QGuiApplication.clipboard().setMimeData(mime)
    window.window_actions.paste.trigger()
    assert window.init_images.image() is not None and window.init_images.image().size == (40, 24)
    QGuiApplication.clipboard().clear()
    window.window_actions.paste.trigger()
    assert _status(window) == "The clipboard holds no image."


def test_ctrl_v_in_the_prompt_pastes_text_not_an_init_image(window, qtbot) -> None:
    QGuiApplication.clipboard().setText("misty hills")
    window.controls.prompt_edit.setFocus()
    qtbot.keyClick(window.controls.prompt_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.controls.prompt_edit.toPlainText() == "misty hills"
    assert window.init_images.image() is None
    QGuiApplication.clipboard().clear()


def test_bad_settings_are_a_message(window) -> None:
    window.controls.size_row.width_spin.setValue(100)
    assert window.generate() is False
    assert _status(window) == "width must be a positive multiple of 8, got 100"
    assert window.run_bar.generate_button.isEnabled()


def test_a_missing_init_image_is_a_message(window, qtbot, tmp_path) -> None:
    with qtbot.waitSignal(window.init_images.failed, timeout=WAIT_MS):
        window.init_images.open(tmp_path / "gone.png")
    assert _status(window).startswith("Init image not found")
    assert window.init_images.image() is None


def test_save_a_copy_of_the_result(window, qtbot, tmp_path) -> None:
    generate_and_wait(qtbot, window)
    copy = tmp_path / "copy.png"
    with qtbot.waitSignal(window.save_result_as(copy).succeeded, timeout=WAIT_MS):
        pass
    assert _status(window) == f"Saved a copy to {copy}"
    with Image.open(copy) as saved:
        assert saved.size == (64, 64)


def test_a_copy_that_cannot_be_saved_is_a_message(window, qtbot, tmp_path) -> None:
    assert window.save_result_as(tmp_path / "copy.png") is None
    assert _status(window) == "There is no image to save yet."
    generate_and_wait(qtbot, window)
    target = tmp_path / "no-such-folder" / "copy.png"
    with qtbot.waitSignal(window.save_result_as(target).failed, timeout=WAIT_MS):
        pass
    assert _status(window) == f"Could not save {target}"


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the dialog, on the offscreen platform
def test_unexpected_errors_are_shown(window, qtbot) -> None:
    window.report_exception("Unexpected error: ValueError: boom", "Traceback …")
    assert _status(window) == "Unexpected error: ValueError: boom"
    box = window.findChild(QMessageBox)
    assert box.isVisible() and box.detailedText() == "Traceback …"
    box.close()


def test_an_error_shown_while_a_model_starts_loading_stays_visible(window) -> None:
    """The worker's "loading started" can arrive after an init image's error: the error stays
    (the status bar said "Loading model…" when the load was asked for)."""
    from sdstudio.ui.worker_events import ModelLoading

    window.state.error.emit("Init image not found: /nowhere.png")
    window.worker.event.emit(ModelLoading("demo"))
    assert _status(window) == "Init image not found: /nowhere.png"
    assert window.run_bar.progress_bar.format() == "Loading model…"
