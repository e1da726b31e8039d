"""What the screenshot scripts share: letting repaints land, grabbing the window, writing it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget


def settle(ms: int) -> None:
    """Run the event loop for ``ms`` so the last repaints reach the screen."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(done: Callable[[], object], timeout_ms: int = 600_000) -> None:
    """Run the event loop until ``done()`` is true (checked every 20 ms), at most
    ``timeout_ms``."""
    loop = QEventLoop()
    check = QTimer(interval=20)
    check.timeout.connect(lambda: done() and loop.quit())
    check.start()
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    check.stop()


def grab_window(window: QWidget, settle_ms: int = 500) -> QPixmap:
    """The window as the screen shows it, once pending repaints are done."""
    settle(settle_ms)
    return window.screen().grabWindow(window.winId())


def write_shot(shot: QPixmap, target: Path) -> bool:
    """Save ``shot`` to ``target`` (making its folder); False, with a line on stderr, if not."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if shot.save(str(target)):
        return True
    print(f"could not write {target}", file=sys.stderr)
    return False


def ready_window(model: str | None = None) -> QWidget:
    """The application and its window (1360×860 at 40, 20) once ``model`` (the demo by
    default) is loaded; ``SDSTUDIO_HOME`` must be set first."""
    from sdstudio.ui.app import create_application, create_window
    from sdstudio.ui.worker_events import ModelReady

    create_application()
    window = create_window(model, None, None)
    window.resize(1360, 860)
    window.move(40, 20)
    ready: list[bool] = [window.worker.model_ready]
    window.worker.on(ModelReady, lambda _event: ready.append(True))
    wait_until(lambda: ready[-1])
    return window
