"""Make ``docs/screenshot-inside.png``: the model browser, a watched block and the attention
of "circle" laid over the result.

    xvfb-run -s "-screen 0 1600x960x24" python docs/make_screenshot_inside.py [PATH]

Opens the window as ``sdstudio`` does, loads the demo model, selects a UNet block in the
model browser, watches it, turns attention capture on, clicks Generate and, once the run is
done, shows the map of the token "circle" over the picture and grabs the window: the
Activations panel shows the block's strongest channels at the last step. The Activations
dock stands under the History, where a user would drag it to see it beside the browser
(on a first start it is a tab behind the settings, like the browser).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PROMPT = "a red circle on the left"
NEGATIVE = ""
WATCHED = "unet.up_blocks.0"  # the demo UNet's 8×8 block that reads the prompt
TOKEN = "circle"


def main() -> int:
    default = Path(__file__).with_name("screenshot-inside.png")
    target = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    home = Path(tempfile.mkdtemp(prefix="sdstudio-shot-"))  # no saved layout to restore
    os.environ["SDSTUDIO_HOME"] = str(home)
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel
    from screenshot_file import grab_window, write_shot

    from sdstudio.ui.app import create_application, create_window
    from sdstudio.ui.worker_events import ModelReady, RunDone

    create_application()
    window = create_window(None, None, None)
    window.resize(1560, 920)
    window.move(20, 20)

    def wait_for(signal, timeout_ms: int = 600_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    def wait_event(kind: type, timeout_ms: int = 600_000) -> None:
        loop = QEventLoop()
        window.worker.on(kind, lambda _event: loop.quit())
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    if not window.worker.model_ready:
        wait_event(ModelReady)
    browser = window.inspection.browser
    status = browser.findChild(QLabel, "modelShapesStatus")
    if not status.text().startswith("Output shapes"):
        wait_for(browser.shapes_ready)
    browser.expand_to_depth(2)
    browser.select_path(WATCHED)
    window.inspection.watch_action.trigger()
    attention = window.inspection.attention
    attention.capture_check.setChecked(True)
    controls = window.controls
    controls.prompt_edit.setPlainText(PROMPT)
    controls.negative_edit.setPlainText(NEGATIVE)
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(1234)
    QTest.mouseClick(window.run_bar.generate_button, Qt.MouseButton.LeftButton)
    wait_event(RunDone)
    combo = attention.token_combo
    texts = [combo.itemText(row).removesuffix("</w>") for row in range(combo.count())]
    combo.setCurrentIndex(texts.index(TOKEN))
    attention.show_check.setChecked(True)
    activations = window.inspection.activations_dock
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, activations)
    window.splitDockWidget(window.history_dock, activations, Qt.Orientation.Vertical)
    window.resizeDocks([activations], [420], Qt.Orientation.Horizontal)
    window.resizeDocks([window.history_dock, activations], [1, 3], Qt.Orientation.Vertical)
    browser.raise_()
    window.canvas.setFocus()  # no text cursor blinking in the prompt
    shot = grab_window(window)
    if not write_shot(shot, target):
        return 1
    caption = window.inspection.activations.caption.text()
    print(f"{target}: {shot.width()}x{shot.height()}; {caption}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
