"""Helpers for tests that drive the real window."""

from __future__ import annotations

from pathlib import Path

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.worker_events import ModelReady, RunDone

WAIT_MS = 120_000


def make_window(qtbot, demo_model, output_dir: Path, steps: int = 3) -> MainWindow:
    """A shown window using the shared demo model, set up for fast 64×64 runs."""
    window = MainWindow(output_dir=output_dir, device="cpu")
    qtbot.addWidget(window)
    window.show()
    with wait_for(qtbot, window.worker, ModelReady):
        window.use_model(demo_model)
    window.controls.size_row.set_size(64, 64)
    window.controls.steps_spin.setValue(steps)
    return window


def make_queue_window(qtbot, demo_model, output_dir: Path) -> MainWindow:
    """:func:`make_window` without previews: queue tests watch jobs, not pictures."""
    window = make_window(qtbot, demo_model, output_dir)
    combo = window.controls.preview_combo
    combo.setCurrentIndex(combo.findData("none"))
    return window


def click_generate(qtbot, window: MainWindow, prompt: str) -> str:
    """Type ``prompt`` and click Generate; the id of the job that click queued."""
    from PySide6.QtCore import Qt

    window.controls.prompt_edit.setPlainText(prompt)
    qtbot.mouseClick(window.run_bar.generate_button, Qt.MouseButton.LeftButton)
    return window.queue.model.jobs()[-1].job.id


def generate_and_wait(qtbot, window: MainWindow) -> None:
    with wait_for(qtbot, window.worker, RunDone):
        assert window.generate()


def wait_for(qtbot, host, kind: type, timeout: int = WAIT_MS):
    """Wait (as a ``with`` block) for the worker's next event of type ``kind``;
    ``blocker.args[0]`` is that event."""
    return qtbot.waitSignal(
        host.event, timeout=timeout, check_params_cb=lambda event: isinstance(event, kind)
    )
