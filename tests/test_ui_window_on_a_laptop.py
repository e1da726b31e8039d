"""The window on a 1366×768 laptop screen: it fits, and the canvas keeps half its width.

Each case opens the real window in a process of its own (``tests/window_on_a_screen.py``),
since the offscreen platform's screen size is set when the application starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect

ROOT = Path(__file__).resolve().parent.parent
SECONDARY = [
    "activationsDock",
    "attentionDock",
    "controlNetDock",
    "modelBrowserDock",
    "networksDock",
    "queueDock",
]


def open_window(width: int, height: int, *resize: int) -> dict:
    """What the window showed on a ``width``×``height`` screen (SDSTUDIO_HOME is the test's)."""
    command = [sys.executable, "-m", "tests.window_on_a_screen", str(width), str(height)]
    done = subprocess.run(
        [*command, *map(str, resize)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_first_start_fits_a_laptop_screen_and_the_canvas_keeps_half() -> None:
    shown = open_window(1366, 768)

    available = QRect(*shown["available"])
    assert available.contains(QRect(*shown["frame"]))
    window_width = shown["window"][0]
    assert shown["canvas"][0] >= window_width / 2
    docks = shown["docks"]
    assert docks["settingsDock"]["in_front"] and docks["historyDock"]["in_front"]
    assert docks["historyDock"]["area"] == "RightDockWidgetArea"
    assert docks["historyDock"]["tabbed_with"] == []  # new results are never hidden
    # Everything else waits as a tab behind the settings, each with the full height.
    assert docks["settingsDock"]["tabbed_with"] == SECONDARY
    assert not any(docks[name]["in_front"] for name in SECONDARY)
    # Every tab's title can be read whole: none elided, none pushed off the bar.
    (titles, fit), *_others = shown["tabs"]
    assert len(titles) == len(SECONDARY) + 1 and fit


def test_a_window_saved_on_a_large_monitor_opens_inside_the_laptop_screen() -> None:
    big = open_window(2560, 1440, 2200, 1300, 900)  # a wide History; saved as it closes
    assert big["window"] == [2200, 1300] and big["docks"]["historyDock"]["width"] == 900

    shown = open_window(1366, 768)

    assert QRect(*shown["available"]).contains(QRect(*shown["frame"]))
    assert shown["canvas"][0] >= shown["window"][0] / 2  # the saved docks were narrowed
    assert shown["docks"]["historyDock"]["in_front"]
