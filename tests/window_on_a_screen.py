"""Open the window on a screen of a given size and print what a user would see, as JSON.

    python -m tests.window_on_a_screen WIDTH HEIGHT [RESIZE_WIDTH RESIZE_HEIGHT [HISTORY_WIDTH]]

Tests run it in a process of its own because the offscreen platform's screen size is fixed
when the application starts (``QT_QPA_PLATFORM=offscreen:configfile=...``). With a resize
(and a width for the History's dock) the window is changed so before it closes, and a
later start finds that geometry and layout saved.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def screen_config(width: int, height: int) -> str:
    """An offscreen platform string whose one screen is ``width``×``height``."""
    screen = {"name": "screen", "x": 0, "y": 0, "width": width, "height": height}
    screen |= {"logicalDpi": 96, "logicalBpi": 96, "dpr": 1}
    config = Path(tempfile.mkdtemp()) / "screens.json"
    config.write_text(json.dumps({"screens": [screen]}))
    return f"offscreen:configfile={config}"


def main() -> int:
    width, height = int(sys.argv[1]), int(sys.argv[2])
    os.environ["QT_QPA_PLATFORM"] = screen_config(width, height)
    from PySide6.QtCore import QEventLoop, QRect, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

    from sdstudio.ui.main_window import MainWindow

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    app = QApplication(sys.argv[:1])
    window = MainWindow(device="cpu")
    window.show()
    settle(200)
    if len(sys.argv) > 3:
        window.resize(int(sys.argv[3]), int(sys.argv[4]))
    if len(sys.argv) > 5:
        window.resizeDocks([window.history_dock], [int(sys.argv[5])], Qt.Orientation.Horizontal)
    if len(sys.argv) > 3:
        settle(100)
    docks = {}
    for dock in window.findChildren(QDockWidget):
        docks[dock.objectName()] = {
            "area": window.dockWidgetArea(dock).name,
            "in_front": dock.isVisible() and not dock.visibleRegion().isEmpty(),
            "tabbed_with": sorted(other.objectName() for other in window.tabifiedDockWidgets(dock)),
            "width": dock.width(),
        }

    def rect(value: QRect) -> list[int]:
        return [value.x(), value.y(), value.width(), value.height()]

    tabs = []  # each dock tab bar's titles, and whether they fit whole (none elided)
    for bar in window.findChildren(QTabBar):
        if bar.isVisible() and bar.parent() is window:  # the docks' tabs, not a panel's own
            wanted, has = bar.sizeHint(), bar.size()
            fits = wanted.width() <= has.width() and wanted.height() <= has.height()
            tabs.append([[bar.tabText(index) for index in range(bar.count())], fits])
    report = {
        "available": rect(window.screen().availableGeometry()),
        "tabs": tabs,
        "frame": rect(window.frameGeometry()),
        "window": [window.width(), window.height()],
        "canvas": [window.canvas.width(), window.canvas.height()],
        "docks": docks,
    }
    window.close()
    app.processEvents()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
