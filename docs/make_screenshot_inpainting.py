"""Make ``docs/screenshot-inpainting.png``: the demo inpainting model painting a masked half.

    xvfb-run -s "-screen 0 1440x900x24" python docs/make_screenshot_inpainting.py [FILE.png]

Opens the window, loads the demo inpainting model, takes a blue circle on the right as the
init image, paints the mask over its left half with the real brush, asks for "a red square
on the left", and grabs the window twice: with the mask over the init image, then with the
result.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

PROMPT = "a red square on the left"


def main() -> int:
    target = Path(
        sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("screenshot-inpainting.png")
    )
    os.environ.setdefault("SDSTUDIO_HOME", str(Path(tempfile.gettempdir()) / "sdstudio"))
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QPainter, QPixmap
    from PySide6.QtTest import QTest
    from screenshot_file import write_shot

    from sdstudio.training.world import Position, Scene, Shape, render
    from sdstudio.ui.app import create_application, create_window
    from sdstudio.ui.worker_events import ModelReady, RunDone

    create_application()
    window = create_window("demo-inpainting", None, None)
    window.resize(1360, 860)
    window.move(40, 20)

    def wait(kind: type | None = None, timeout_ms: int = 600_000) -> None:
        loop = QEventLoop()
        if kind is not None:
            window.worker.on(kind, lambda _event: loop.quit())
        QTimer.singleShot(timeout_ms if kind else 500, loop.quit)
        loop.exec()

    if not window.worker.model_ready:
        wait(ModelReady)
    circle = render(Scene(Shape.CIRCLE, "blue", Position.RIGHT), random.Random(1))
    window.init_images.set_image(circle, "blue-circle.png")
    controls = window.controls
    controls.prompt_edit.setPlainText(PROMPT)
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(3)
    controls.strength_row.spin.setValue(1.0)
    editor = window.inpainting.editor
    editor.paint_action.setChecked(True)
    editor.size_spin.setValue(40)
    canvas = window.canvas
    viewport = canvas.viewport()
    wait()
    canvas.zoom_by(3.0)  # the demo's 128 px, large enough to see
    for y in range(12, 128, 24):  # brush strokes across the left half
        points = [canvas.mapFromScene(x, y) for x in range(12, 56, 6)]
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=points[0])
        for point in points[1:]:
            QTest.mouseMove(viewport, point)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=points[-1])
    editor.paint_action.setChecked(False)  # no brush outline in the pictures
    wait()
    before = viewport.grab()
    QTest.mouseClick(window.run_bar.generate_button, Qt.MouseButton.LeftButton)
    wait(RunDone)
    canvas.zoom_by(3.0 / canvas.zoom())
    wait()
    after = viewport.grab()
    # Side by side: the canvas with the mask over the init image, then the result.
    shot = QPixmap(before.width() + after.width() + 8, max(before.height(), after.height()))
    shot.fill(Qt.GlobalColor.white)
    painter = QPainter(shot)
    painter.drawPixmap(0, 0, before)
    painter.drawPixmap(before.width() + 8, 0, after)
    painter.end()
    if not write_shot(shot, target):
        return 1
    print(f"{target}: {shot.width()}x{shot.height()}; {window.statusBar().currentMessage()}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
