"""Helpers for tests that drive the real window."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.exceptions import TimeoutError

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.worker_events import ModelReady, RunDone

WAIT_MS = 120_000


def shown_window(qtbot, output_dir: Path) -> MainWindow:
    """A shown window on the CPU saving into ``output_dir``, its model as it starts."""
    window = MainWindow(output_dir=output_dir, device="cpu")
    qtbot.addWidget(window)
    window.show()
    return window


def make_window(qtbot, demo_model, output_dir: Path, steps: int = 3) -> MainWindow:
    """A shown window using the shared demo model, set up for fast 64×64 runs."""
    window = shown_window(qtbot, output_dir)
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


def drop_file(window: MainWindow, path: Path) -> None:
    """``path`` dropped on the canvas, as a file manager drops it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.canvas.dropEvent(
        QDropEvent(
            QPointF(20, 20),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )


def wait_until_queue_finished(qtbot, window: MainWindow, count: int) -> None:
    """Until ``count`` jobs of the queue have ended (done, failed or cancelled) and none runs."""
    model = window.queue.model
    qtbot.waitUntil(
        lambda: (
            sum(model.count(s) for s in ("done", "failed", "cancelled")) == count
            and window.queue.running_job is None
        ),
        timeout=WAIT_MS,
    )


@contextmanager
def wait_for(qtbot, host, kind: type, timeout: int = WAIT_MS) -> Iterator[Any]:
    """Wait (as a ``with`` block) for the worker's next event of type ``kind``;
    ``blocker.args[0]`` is that event. A timeout says which events did come, and where
    every thread was, so a job that never reports can be told from one that failed."""
    seen: list[str] = []

    def note(event: object) -> None:
        message = getattr(event, "message", None)
        seen.append(type(event).__name__ + (f"({message!r})" if message else ""))

    host.event.connect(note)
    try:
        with qtbot.waitSignal(
            host.event, timeout=timeout, check_params_cb=lambda event: isinstance(event, kind)
        ) as blocker:
            yield blocker
    except TimeoutError as error:
        raise AssertionError(
            f"no {kind.__name__} within {timeout} ms; the worker sent {seen[-40:]}; "
            f"busy={host.busy} running_job={host.running_job} ready={host.model_ready} "
            f"alive={host.running} {_queue_flags(host)}\n" + thread_stacks()
        ) from error
    finally:
        host.event.disconnect(note)


def _queue_flags(host) -> str:
    """The flags of the queue that feeds ``host``, when a window owns it."""
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        queue = getattr(widget, "queue", None)
        if isinstance(widget, MainWindow) and getattr(widget, "worker", None) is host:
            return (
                f"status={widget.statusBar().currentMessage()!r} "
                f"jobs={[queued.state for queued in queue.model.jobs()]} paused={queue.paused} "
                f"running={queue.running_job} loading={queue.loading_model} "
                f"offered={host.offered_job()}"
            )
    return "(no window)"


def thread_stacks() -> str:
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return "\n".join(
        f"--- thread {names.get(ident, ident)}:\n" + "".join(traceback.format_stack(frame))
        for ident, frame in sys._current_frames().items()
    )


def paint_mask(window, qtbot, points) -> None:
    """A left-drag through ``points`` (image pixels) with "Paint mask" on."""
    editor = window.inpainting.editor
    editor.paint_action.setChecked(True)
    canvas = window.canvas
    viewport = canvas.viewport()
    at = [canvas.mapFromScene(x, y) for x, y in points]
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=at[0])
    for point in at[1:]:
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=at[-1])
