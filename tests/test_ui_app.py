"""Starting the app: the window comes up without torch, loads the model, closes cleanly."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from sdstudio.engine.models.demo.model import DEMO_LABEL
from sdstudio.ui.main_window import MainWindow
from tests.ui_support import WAIT_MS


def test_main_window_is_exported_lazily() -> None:
    from sdstudio.ui import MainWindow as exported

    assert exported is MainWindow


def test_showing_the_window_imports_no_model_library() -> None:
    """torch, diffusers and transformers, and the upscalers' spandrel and the preprocessors'
    OpenCV, load with the first job, the first upscale or the first map, not at start."""
    script = (
        "import sys\n"
        "from sdstudio.ui import MainWindow\n"
        "from sdstudio.ui.app import create_application\n"
        "app = create_application()\n"
        "window = MainWindow()\n"
        "window.show()\n"
        "app.processEvents()\n"
        "print(sorted({'torch', 'diffusers', 'transformers', 'spandrel', 'cv2'}"
        " & set(sys.modules)))\n"
        "window.close()\n"
    )
    env_python = [sys.executable, "-c", script]
    result = subprocess.run(env_python, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_run_app_loads_the_demo_then_exits_when_closed(qapp, demo_model, tmp_path) -> None:
    """The real entry point: qasync loop, model loaded in the worker, init image, close."""
    from sdstudio.ui.app import run_app

    seen: dict[str, object] = {}

    def close_when_ready() -> None:
        """Both arrive from background threads, in either order: wait for the two."""
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        message = windows[0].statusBar().currentMessage() if windows else ""
        if windows and windows[0].worker.model_ready and message.startswith("Init image"):
            window = windows[0]
            seen["label"] = window.controls.model_label.text()
            seen["status"] = window.statusBar().currentMessage()
            seen["visible"] = window.isVisible()
            poll.stop()
            window.close()

    def give_up() -> None:  # never hang the suite: close whatever is open
        poll.stop()
        for widget in QApplication.topLevelWidgets():
            widget.close()

    poll = QTimer(interval=50)
    poll.timeout.connect(close_when_ready)
    poll.start()
    # A timer of our own, stopped below: a bare singleShot would outlive this test and close
    # the windows of whichever test runs two minutes later.
    deadline = QTimer(singleShot=True, interval=WAIT_MS)
    deadline.timeout.connect(give_up)
    deadline.start()
    try:
        code = run_app(model=None, init_image=str(tmp_path / "missing.png"), output_dir=None)
    finally:
        deadline.stop()
    assert code == 0
    assert seen, "the window never showed both the model and the init image's error"
    assert seen["visible"] is True
    assert seen["label"] == DEMO_LABEL
    assert seen["status"].startswith("Init image not found")
    assert not poll.isActive()
