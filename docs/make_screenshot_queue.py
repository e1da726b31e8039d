"""Make ``docs/screenshot-queue.png``: the Queue panel while queued jobs run, under Xvfb.

    xvfb-run -s "-screen 0 1440x900x24" python docs/make_screenshot_queue.py [FILE]

Loads the demo model, clicks Generate for four prompts in a row (the first runs, the rest
wait), and grabs the window while the second job runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PROMPTS = (
    "a red circle on the left",
    "a blue square on the right",
    "a green triangle in the middle",
    "a yellow circle on the right",
)


def main() -> int:
    target = Path(
        sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("screenshot-queue.png")
    )
    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-shot-"))
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from screenshot_file import grab_window, ready_window, wait_until, write_shot

    from sdstudio.ui.worker_events import RunProgress

    window = ready_window()
    controls = window.controls
    controls.seed_row.random_check.setChecked(False)
    controls.steps_spin.setValue(40)
    window.queue_dock.raise_()
    for number, prompt in enumerate(PROMPTS):
        controls.prompt_edit.setPlainText(prompt)
        controls.seed_row.set_seed(1234 + number)
        QTest.mouseClick(window.run_bar.generate_button, Qt.MouseButton.LeftButton)
    second = window.queue.model.jobs()[1].job.id
    halfway: list[bool] = []
    window.worker.on(
        RunProgress, lambda e: e.job_id == second and e.step >= 25 and halfway.append(True)
    )
    wait_until(lambda: bool(halfway))
    window.canvas.setFocus()
    shot = grab_window(window, settle_ms=300)
    if not write_shot(shot, target):
        return 1
    print(f"{target}: {shot.width()}x{shot.height()}")
    window.queue.cancel_all()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
