"""Starting the desktop app: QApplication, the qasync event loop, the window, the model."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from sdstudio.ui.excepthook import install_excepthook
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.qt import QEventLoop  # qasync, bound to PySide6 by the bootstrap

SIGNAL_POLL_MS = 250


def create_application() -> QApplication:
    """The QApplication (reused if one exists), with sdstudio's name and calm Fusion style."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("sdstudio")
    app.setOrganizationName("sdstudio")
    app.setApplicationDisplayName("sdstudio")
    app.setStyle("Fusion")
    return app


def create_window(
    model: str | None = None, init_image: str | None = None, output_dir: str | None = None
) -> MainWindow:
    """The shown main window; the model (and init image) load once the event loop runs."""
    window = MainWindow(output_dir=Path(output_dir).expanduser() if output_dir else None)
    window.show()
    window.start(model, init_image)
    return window


def run_app(model: str | None, init_image: str | None, output_dir: str | None) -> int:
    """Open the window and run until it is closed; returns the exit code."""
    app = create_application()
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = create_window(model, init_image, output_dir)
    restore_hook = install_excepthook(window.report_exception)
    # Qt's loop does not run Python code on its own; a slow timer lets Ctrl+C reach us.
    previous_sigint = signal.signal(signal.SIGINT, lambda *_: window.close())
    poll = QTimer(interval=SIGNAL_POLL_MS)
    poll.timeout.connect(lambda: None)
    poll.start()
    closed = loop.create_future()
    app.lastWindowClosed.connect(lambda: closed.done() or closed.set_result(None))
    try:
        with loop:
            loop.run_until_complete(closed)
    finally:
        window.worker.shutdown()  # normally done by closing the window; never leave it running
        poll.stop()
        signal.signal(signal.SIGINT, previous_sigint)
        restore_hook()
        asyncio.set_event_loop(None)
    return 0
