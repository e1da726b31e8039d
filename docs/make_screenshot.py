"""Make ``docs/screenshot.png``: the real window after a demo generation, under Xvfb.

    xvfb-run -s "-screen 0 1440x900x24" python docs/make_screenshot.py [docs/screenshot.png]

Opens the window as ``sdstudio`` does, loads the demo model, types a prompt, clicks
Generate and, once the image is saved, grabs the window from the screen.
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
    os.environ.setdefault("SDSTUDIO_HOME", str(Path(tempfile.gettempdir()) / "sdstudio"))
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from screenshot_file import grab_window, write_shot

    from sdstudio.ui.app import create_application, create_window
    from sdstudio.ui.worker_events import ModelReady, RunDone

    create_application()
    window = create_window(None, None, None)
    window.resize(1360, 860)
    window.move(40, 20)

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
    print(f"{target}: {shot.width()}x{shot.height()}; {window.statusBar().currentMessage()}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
