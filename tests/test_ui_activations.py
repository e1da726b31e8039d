"""Watching a module from the window: one picture per step, modes, scrubbing, no hooks left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from sdstudio.engine.probes import CfgHalf, ViewMode
from sdstudio.ui.probes.activations_panel import NOTHING_WATCHED
from sdstudio.ui.worker_events import RunDone, StepActivations
from tests.probes_support import forward_hook_count, our_processors
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, wait_for

WATCHED = "unet.mid_block"


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_window(qtbot, demo_model, tmp_path / "out")
    win.controls.scheduler_combo.setCurrentText("Euler")
    status = win.findChild(QLabel, "modelShapesStatus")
    qtbot.waitUntil(lambda: status.text().startswith("Output shapes at 64×64"), timeout=WAIT_MS)
    return win


def watch(window, path: str) -> None:
    """Select ``path`` in the browser and press its "Watch this module" button."""
    assert window.inspection.browser.select_path(path)
    action = window.inspection.watch_action
    assert action.isEnabled() and action.text() == "Watch this module"
    action.trigger()
    assert action.text() == "Stop watching"


def test_a_watched_module_shows_one_picture_per_step(window, qtbot, demo_model) -> None:
    live = []
    window.worker.on(StepActivations, lambda event: live.append(event.frames))
    watch(window, WATCHED)
    panel = window.inspection.activations
    assert window.inspection.activations_dock.isVisible()

    generate_and_wait(qtbot, window)

    frames = panel.recorded_frames(WATCHED)
    assert [frame.step for frame in frames] == [1, 2, 3]
    browser_shape = window.inspection.browser.root().find(WATCHED).shape_record.outputs[0][1]
    for frame in frames:
        assert frame.shape == browser_shape == (2, 64, 4, 4)  # 64² pictures, 8×8 latents
        assert 64 <= frame.image.width() <= 1024 and 64 <= frame.image.height() <= 1024
        assert frame.mode is ViewMode.CHANNELS and frame.half == "prompt"
    assert live and all(frames_of_step[0].module_path == WATCHED for frames_of_step in live)
    assert panel.image_view.image() == frames[-1].image
    assert panel.caption.text().startswith(f"{WATCHED} — step 3/3 — output 2×64×4×4")
    assert forward_hook_count(demo_model.pipeline) == 0


def test_the_panel_follows_the_step_scrubber(window, qtbot) -> None:
    watch(window, WATCHED)
    generate_and_wait(qtbot, window)
    panel = window.inspection.activations
    frames = panel.recorded_frames()
    slider = window.scrubber.slider

    slider.setValue(0)
    assert window.scrubber.label.text() == "Step 1/3"
    assert panel.image_view.image() == frames[0].image
    assert "step 1/3" in panel.caption.text()

    slider.setValue(slider.maximum())  # the result: the last step
    assert panel.image_view.image() == frames[-1].image


def test_pca_and_both_halves(window, qtbot) -> None:
    watch(window, "unet.down_blocks.0")
    panel = window.inspection.activations
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData(ViewMode.PCA))
    panel.half_combo.setCurrentIndex(panel.half_combo.findData(CfgHalf.BOTH))

    generate_and_wait(qtbot, window)

    frame = panel.recorded_frames()[-1]
    assert frame.mode is ViewMode.PCA and frame.half == "both"
    assert frame.image.width() > 1.8 * frame.image.height()  # negative | prompt
    assert "negative | prompt" in panel.caption.text()


def test_stop_watching_means_no_watcher_at_all(window, qtbot, monkeypatch) -> None:
    import sdstudio.engine.probes as inspection

    made = []
    original = inspection.ModuleWatcher
    monkeypatch.setattr(
        inspection, "ModuleWatcher", lambda *args, **kw: made.append(args) or original(*args, **kw)
    )
    watch(window, WATCHED)
    panel = window.inspection.activations
    qtbot.mouseClick(panel.unwatch_button, Qt.MouseButton.LeftButton)
    assert window.inspection.watch_list.paths == ()
    assert window.inspection.watch_action.text() == "Watch this module"

    generate_and_wait(qtbot, window)

    assert made == []
    assert panel.image_view.image().isNull() and panel.recorded_frames(WATCHED) == ()
    assert not panel.unwatch_button.isEnabled()
    assert panel.image_view.placeholder() == NOTHING_WATCHED


def test_cancel_mid_run_leaves_no_hooks_and_no_processors(window, qtbot, demo_model) -> None:
    watch(window, WATCHED)
    window.inspection.attention.capture_check.setChecked(True)
    window.controls.steps_spin.setValue(60)
    hooked: list[tuple[int, int]] = []
    pipeline = demo_model.pipeline

    def look_while_running(*_args) -> None:
        hooked.append((forward_hook_count(pipeline), len(our_processors(pipeline))))

    window.worker.on(StepActivations, look_while_running)
    with wait_for(qtbot, window.worker, StepActivations):
        assert window.generate()
    with wait_for(qtbot, window.worker, RunDone):
        qtbot.mouseClick(window.run_bar.cancel_button, Qt.MouseButton.LeftButton)

    assert hooked[0][0] >= 1 and hooked[0][1] >= 1  # they were there while it ran
    assert forward_hook_count(pipeline) == 0
    assert our_processors(pipeline) == []
    assert window.statusBar().currentMessage().startswith("Cancelled after step")
