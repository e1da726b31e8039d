""" "Upscale…" with "Refine with Stable Diffusion" (A1111's SD upscale) in the window: the
refinement is queued as a job with the controls' prompt, its tiles counted in the progress,
the picture saved at the upscaled size with the SD upscale infotext, listed and shown; the
options refuse what the tiles cannot take; without a model there is nothing to refine with.

A 64×64 result ×2 is 128×128: 64-pixel tiles sharing 16 pixels make a 3×3 grid."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sdstudio.engine.metadata import read_metadata
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.server.server_settings import ServerChoice, write_server_choice
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.upscale.refine_box import CANNOT_REFINE, RefineBox
from sdstudio.ui.upscale.upscale_dialog import UpscaleDialog
from sdstudio.ui.worker_events import RunDone, RunProgress
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, wait_for

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def refine_dialog(qtbot, demo_model, tmp_path: Path) -> tuple[MainWindow, UpscaleDialog]:
    """A window with a 64×64 result on the canvas, and its Upscale… dialog set to refine
    it ×2 with Lanczos in 64-pixel tiles sharing 16, at strength 0.5."""
    window = make_window(qtbot, demo_model, tmp_path / "out", steps=2)
    window.controls.prompt_edit.setPlainText("a red circle")
    generate_and_wait(qtbot, window)
    window.window_actions.upscale.trigger()
    dialog = window.upscaling.dialog
    assert dialog is not None
    dialog.upscaler_combo.setCurrentIndex(dialog.upscaler_combo.findData("Lanczos"))
    dialog.factor_spin.setValue(2.0)
    box = dialog.refine_box
    box.setChecked(True)
    box.tile_spin.setValue(64)
    box.overlap_spin.setValue(16)
    box.strength_spin.setValue(0.5)
    return window, dialog


def test_a_refined_upscale_is_queued_and_saved_with_its_infotext(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window, dialog = refine_dialog(qtbot, demo_model, tmp_path)
    window.controls.prompt_edit.setPlainText("a blue square")  # the controls' prompt refines
    assert dialog.size_note.text() == "64×64 → 128×128, refined in 9 tiles"
    assert dialog.start_button.text() == "Queue"
    rows = window.history.model.rowCount()

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    queued = window.queue.model.jobs()[-1]
    assert queued.job.sd_upscale is not None
    qtbot.waitUntil(lambda: window.history.model.rowCount() == rows + 1, timeout=WAIT_MS)
    saved = window.history.model.entry(window.history.model.index(0)).path
    assert saved.parent == tmp_path / "out"
    infotext = read_metadata(saved).infotext
    assert infotext.prompt == "a blue square"
    params = infotext.params
    assert (params["SD upscale upscaler"], params["SD upscale overlap"]) == ("Lanczos", "16")
    assert (params["Size"], params["Denoising strength"]) == ("64x64", "0.5")
    shown = window.canvas.current_pixmap()
    assert (shown.width(), shown.height()) == (128, 128)
    assert str(saved) in window.statusBar().currentMessage()


def test_the_progress_counts_the_tiles(qtbot, demo_model, tmp_path: Path) -> None:
    window, dialog = refine_dialog(qtbot, demo_model, tmp_path)
    progress: list[RunProgress] = []
    window.worker.on(RunProgress, progress.append)
    rows = window.history.model.rowCount()

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.history.model.rowCount() == rows + 1, timeout=WAIT_MS)
    assert {(event.tiles, event.batch_count) for event in progress} == {(True, 9)}
    assert [event.image_index for event in progress] == sorted(
        event.image_index for event in progress
    )
    assert progress[-1].image_index == 8


def test_cancel_stops_it_in_a_tile_and_saves_nothing(qtbot, demo_model, tmp_path: Path) -> None:
    window, dialog = refine_dialog(qtbot, demo_model, tmp_path)
    saved_before = sorted((tmp_path / "out").glob("*.png"))

    def cancel_in_the_second_tile(event: RunProgress) -> None:
        if event.image_index == 1:
            qtbot.mouseClick(window.run_bar.cancel_button, Qt.MouseButton.LeftButton)

    window.worker.on(RunProgress, cancel_in_the_second_tile)
    with wait_for(qtbot, window.worker, RunDone):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    assert window.queue.model.jobs()[-1].state == "cancelled"
    assert window.statusBar().currentMessage().startswith("Cancelled after step")
    assert sorted((tmp_path / "out").glob("*.png")) == saved_before


def test_the_queue_names_it_and_a_paused_queue_is_said(qtbot, demo_model, tmp_path: Path) -> None:
    window, dialog = refine_dialog(qtbot, demo_model, tmp_path)
    window.queue.pause()  # it stays listed as it waits
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    model = window.queue.model
    text = model.data(model.index(model.rowCount() - 1))
    assert "SD upscale ×2 (Lanczos) to 128×128, 64px tiles" in text
    assert "a red circle" in text
    assert (
        window.statusBar()
        .currentMessage()
        .endswith("The queue is paused: press Resume in the Queue panel.")
    )


def test_it_goes_to_the_server_while_jobs_go_there(qtbot, demo_model, tmp_path: Path) -> None:
    """As a Generate would: the server's replicas redraw the tiles."""
    window, dialog = refine_dialog(qtbot, demo_model, tmp_path)
    write_server_choice(SettingsStore(), ServerChoice("http://127.0.0.1:9", "token", True))
    window.queue.pause()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)

    row = window.queue.model.get(window.queue.model.jobs()[-1].job.id)
    assert row.where == "server" and row.queued.server == "http://127.0.0.1:9"
    assert row.queued.job.sd_upscale is not None


def test_a_tile_is_a_multiple_of_8_and_shares_at_most_half_of_itself(qtbot) -> None:
    box = RefineBox(64)
    qtbot.addWidget(box)
    box.setChecked(True)
    box.tile_spin.setValue(100)
    box.tile_spin.editingFinished.emit()
    box.overlap_spin.setValue(90)

    choice = box.choice()

    assert choice is not None and (choice.tile, choice.overlap) == (96, 48)


def test_without_a_model_the_refinement_is_off_and_says_why(qtbot) -> None:
    box = RefineBox(None)
    qtbot.addWidget(box)
    box.setChecked(True)

    assert not box.isEnabled() and box.choice() is None
    assert box.note.text() == CANNOT_REFINE
