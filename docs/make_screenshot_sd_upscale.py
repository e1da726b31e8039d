"""Make ``docs/screenshot-sd-upscale.png``: the Upscale dialog refining with Stable Diffusion
over a demo result, under Xvfb.

    xvfb-run -s "-screen 0 1440x900x24" python docs/make_screenshot_sd_upscale.py [FILE]

Loads the demo model, generates one picture, opens File → Upscale… for it, turns on
"Refine with Stable Diffusion", moves the dialog to the canvas's lower left (so that the
picture shows) and grabs the screen around the window.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main() -> int:
    target = Path(
        sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("screenshot-sd-upscale.png")
    )
    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-shot-"))
    from screenshot_file import ready_window, settle, wait_until, write_shot

    from sdstudio.ui.worker_events import RunDone

    window = ready_window()
    controls = window.controls
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(1234)
    controls.prompt_edit.setPlainText("a red circle on the left")
    done: list[bool] = []
    window.worker.on(RunDone, lambda _event: done.append(True))
    window.generate()
    wait_until(lambda: bool(done))
    window.window_actions.upscale.trigger()
    dialog = window.upscaling.dialog
    if dialog is None:
        print("the Upscale dialog did not open", file=sys.stderr)
        return 1
    dialog.refine_box.setChecked(True)
    settle(300)
    canvas = window.canvas
    corner = canvas.mapToGlobal(canvas.rect().bottomLeft())  # below the picture, not over it
    dialog.move(corner.x() + 12, corner.y() - dialog.frameGeometry().height() - 12)
    settle(500)
    screen = window.screen()
    frame = window.frameGeometry()
    shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    if not write_shot(shot, target):
        return 1
    print(f"{target}: {shot.width()}x{shot.height()}")
    dialog.reject()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
