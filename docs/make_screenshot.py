"""Make ``docs/screenshot.png``: the real window after a demo generation, under Xvfb, on
the smallest screen the layout is made for, a 1366×768 laptop's.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/make_screenshot.py [docs/screenshot.png]

Opens the window as ``sdstudio`` does on a first start (a fresh ``SDSTUDIO_HOME``: no saved
layout, the size chosen for the screen), loads the demo model, types a prompt, clicks
Generate and, once the image is saved, grabs the window from the screen. It prints the
canvas's share of the window's width, which should be at least half.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PROMPT = "a red circle on the left"  # the demo draws its world of coloured shapes
NEGATIVE = ""


def main() -> int:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("screenshot.png"))
    os.environ["SDSTUDIO_HOME"] = tempfile.mkdtemp(prefix="sdstudio-")  # a first start
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from screenshot_file import grab_window, write_shot

    from sdstudio.ui.app import create_application, create_window
    from sdstudio.ui.worker_events import ModelReady, RunDone

    create_application()
    window = create_window(None, None, None)

    def wait_for(kind: type, timeout_ms: int = 600_000) -> None:
        loop = QEventLoop()
        window.worker.on(kind, lambda _event: loop.quit())
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    if not window.worker.model_ready:
        wait_for(ModelReady)
    controls = window.controls
    controls.prompt_edit.setPlainText(PROMPT)
    controls.negative_edit.setPlainText(NEGATIVE)
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(1234)
    QTest.mouseClick(window.run_bar.generate_button, Qt.MouseButton.LeftButton)
    wait_for(RunDone)
    window.canvas.setFocus()  # no text cursor blinking in the prompt
    shot = grab_window(window)
    if not write_shot(shot, target):
        return 1
    canvas = window.canvas.width()
    print(f"{target}: {shot.width()}x{shot.height()}; {window.statusBar().currentMessage()}")
    print(f"canvas {canvas} px of the window's {window.width()} px ({canvas / window.width():.0%})")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
