"""The window's job queue: Generate while busy, order, remove, cancel, pause, persistence."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from sdstudio.engine.models.demo.model import DEMO_INPAINTING_NAME
from sdstudio.engine.paths import queue_dir
from sdstudio.ui.worker_events import ModelLoading, ModelReady, RunProgress
from tests.ui_support import (
    WAIT_MS,
    click_generate,
    make_queue_window,
    make_window,
    shown_window,
    wait_for,
    wait_until_queue_finished,
)

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    return make_queue_window(qtbot, demo_model, tmp_path / "out")


def _saved_prompts(folder) -> list[str]:
    prompts = []
    for path in sorted(folder.glob("*.png")):
        with Image.open(path) as image:
            prompts.append(image.info["parameters"].splitlines()[0])
    return prompts


def test_three_generate_clicks_while_busy_save_three_images_in_order(window, qtbot, tmp_path):
    window.controls.steps_spin.setValue(12)
    with wait_for(qtbot, window.worker, RunProgress):
        click_generate(qtbot, window, "first")
    click_generate(qtbot, window, "second")
    click_generate(qtbot, window, "third")
    assert window.queue.pending_count() == 2
    wait_until_queue_finished(qtbot, window, 3)
    assert _saved_prompts(tmp_path / "out") == ["first", "second", "third"]
    assert window.queue.model.count("done") == 3


def test_removing_a_pending_job_means_it_never_runs(window, qtbot, tmp_path) -> None:
    window.controls.steps_spin.setValue(12)
    with wait_for(qtbot, window.worker, RunProgress):
        click_generate(qtbot, window, "kept")
    click_generate(qtbot, window, "removed")
    click_generate(qtbot, window, "also kept")
    panel = window.queue_panel
    panel.list.setCurrentIndex(window.queue.model.index(1))
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    wait_until_queue_finished(qtbot, window, 2)
    assert _saved_prompts(tmp_path / "out") == ["kept", "also kept"]


def test_cancel_all_stops_the_running_job_and_the_waiting_ones(window, qtbot, tmp_path) -> None:
    window.controls.steps_spin.setValue(60)
    with wait_for(qtbot, window.worker, RunProgress):
        click_generate(qtbot, window, "one")
    click_generate(qtbot, window, "two")
    qtbot.mouseClick(window.queue_panel.cancel_all_button, Qt.MouseButton.LeftButton)
    wait_until_queue_finished(qtbot, window, 2)
    assert window.queue.model.count("cancelled") == 2
    assert not list((tmp_path / "out").glob("*.png"))


def test_escape_cancels_the_running_job_and_the_next_one_runs(window, qtbot, tmp_path):
    window.controls.steps_spin.setValue(60)
    with wait_for(qtbot, window.worker, RunProgress):
        click_generate(qtbot, window, "stopped")
    window.controls.steps_spin.setValue(12)
    click_generate(qtbot, window, "runs next")
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    wait_until_queue_finished(qtbot, window, 2)
    assert [row.state for row in window.queue.model.rows()] == ["cancelled", "done"]
    assert _saved_prompts(tmp_path / "out") == ["runs next"]


def test_a_paused_queue_waits_and_resume_runs_it(window, qtbot, tmp_path) -> None:
    panel = window.queue_panel
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.pause_button.text() == "Resume"
    click_generate(qtbot, window, "waits")
    assert window.queue.running_job is None and window.queue.pending_count() == 1
    assert "paused" in window.statusBar().currentMessage()
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    wait_until_queue_finished(qtbot, window, 1)
    assert _saved_prompts(tmp_path / "out") == ["waits"]


def test_run_again_queues_the_same_settings(window, qtbot, tmp_path) -> None:
    click_generate(qtbot, window, "twice")
    wait_until_queue_finished(qtbot, window, 1)
    panel = window.queue_panel
    panel.list.setCurrentIndex(window.queue.model.index(0))
    qtbot.mouseClick(panel.run_again_button, Qt.MouseButton.LeftButton)
    wait_until_queue_finished(qtbot, window, 2)
    assert _saved_prompts(tmp_path / "out") == ["twice", "twice"]
    first, second = window.queue.model.rows()
    assert first.thumbnail is not None and second.thumbnail is not None


def test_pending_jobs_survive_closing_and_reopening_the_window(
    window, qtbot, demo_model, tmp_path
) -> None:
    qtbot.mouseClick(window.queue_panel.pause_button, Qt.MouseButton.LeftButton)
    click_generate(qtbot, window, "after the restart")
    click_generate(qtbot, window, "and this one")
    window.close()
    reopened = make_window(qtbot, demo_model, tmp_path / "out")
    queue = reopened.queue
    assert queue.paused and reopened.queue_panel.pause_button.text() == "Resume"
    assert [q.job.request.prompt for q in queue.model.jobs()] == [
        "after the restart",
        "and this one",
    ]
    qtbot.mouseClick(reopened.queue_panel.pause_button, Qt.MouseButton.LeftButton)
    wait_until_queue_finished(qtbot, reopened, 2)
    assert _saved_prompts(tmp_path / "out") == ["after the restart", "and this one"]


def test_a_damaged_queue_file_is_set_aside_and_the_window_opens(
    qtbot, demo_model, tmp_path
) -> None:
    (queue_dir() / "queue.json").write_text("{ not json", encoding="utf-8")
    window = make_window(qtbot, demo_model, tmp_path / "out")
    assert window.queue.model.rowCount() == 0 and not window.queue.paused
    assert list(queue_dir().glob("queue.json.damaged-*"))
    assert window.statusBar().currentMessage().startswith("The saved queue was damaged")
    assert window.isVisible()


def test_jobs_that_name_another_model_switch_to_it_once(qtbot, demo_model, tmp_path) -> None:
    window = shown_window(qtbot, tmp_path / "out")
    with wait_for(qtbot, window.worker, ModelReady):
        window.load_model("demo")
    window.controls.size_row.set_size(64, 64)
    window.controls.preview_combo.setCurrentIndex(window.controls.preview_combo.findData("none"))
    window.controls.steps_spin.setValue(12)
    loads: list[str] = []
    window.worker.on(ModelLoading, lambda event: loads.append(event.spec))
    with wait_for(qtbot, window.worker, RunProgress):
        click_generate(qtbot, window, "on the demo")
    window.load_model(DEMO_INPAINTING_NAME)  # while it runs: new jobs name it
    assert "loads when the running job ends" in window.statusBar().currentMessage()
    window.controls.steps_spin.setValue(2)
    click_generate(qtbot, window, "inpainting one")
    click_generate(qtbot, window, "inpainting two")
    wait_until_queue_finished(qtbot, window, 3)
    assert loads == [DEMO_INPAINTING_NAME]
    assert [queued.model for queued in window.queue.model.jobs()] == [
        "demo",
        DEMO_INPAINTING_NAME,
        DEMO_INPAINTING_NAME,
    ]
    assert window.queue.model.count("done") == 3


def test_a_queued_job_keeps_the_init_image_of_the_moment_of_the_click(window, qtbot, tmp_path):
    red, blue = tmp_path / "red.png", tmp_path / "blue.png"
    Image.new("RGB", (64, 64), (220, 30, 30)).save(red)
    Image.new("RGB", (64, 64), (30, 30, 220)).save(blue)
    qtbot.mouseClick(window.queue_panel.pause_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.init_images.opened, timeout=WAIT_MS):
        window.init_images.open(red)
    click_generate(qtbot, window, "from the red one")
    with qtbot.waitSignal(window.init_images.opened, timeout=WAIT_MS):
        window.init_images.open(blue)
    (queued,) = window.queue.model.jobs()
    assert queued.job.request.init_image.getpixel((5, 5)) == (220, 30, 30)


def test_a_queued_job_keeps_the_mask_of_the_moment_of_the_click(window, qtbot, tmp_path):
    picture = tmp_path / "picture.png"
    Image.new("RGB", (64, 64), (220, 30, 30)).save(picture)
    qtbot.mouseClick(window.queue_panel.pause_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.init_images.opened, timeout=WAIT_MS):
        window.init_images.open(picture)
    left_half = Image.new("L", (64, 64), 0)
    left_half.paste(255, (0, 0, 32, 64))
    window.inpainting.editor.set_mask(left_half)
    click_generate(qtbot, window, "the left half repainted")
    window.inpainting.editor.invert_action.trigger()  # painted on after the click
    (queued,) = window.queue.model.jobs()
    mask = queued.job.request.mask
    assert mask.getpixel((5, 5)) == 255 and mask.getpixel((60, 5)) == 0
    assert window.inpainting.mask().getpixel((5, 5)) == 0  # the editor did change
