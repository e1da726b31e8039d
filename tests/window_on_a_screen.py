"""Open the window on a screen of a given size and print what a user would see, as JSON.

    python -m tests.window_on_a_screen WIDTH HEIGHT [RESIZE_WIDTH RESIZE_HEIGHT [HISTORY_WIDTH]]
    python -m tests.window_on_a_screen WIDTH HEIGHT --browser

Tests run it in a process of its own because the offscreen platform's screen size is fixed
when the application starts (``QT_QPA_PLATFORM=offscreen:configfile=...``). With a resize
(and a width for the History's dock) the window is changed so before it closes, and a
later start finds that geometry and layout saved. With ``--browser`` the model browser's
tab is brought to the front with the demo model (from ``SDSTUDIO_HOME/models``) traced at
512×512 and opened two levels deep, and its columns are reported there, popped out and put
back.
"""

from __future__ import annotations

import json
import os
import subprocess
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


ROOT = Path(__file__).resolve().parent.parent


def shown_on_a_screen(module: str, width: int, height: int, *extra: int | str) -> dict:
    """What ``python -m MODULE WIDTH HEIGHT EXTRA…`` (this script or one built on it) reported
    of a window opened on a ``width``×``height`` screen, in a process of its own
    (``SDSTUDIO_HOME`` is the caller's)."""
    done = subprocess.run(
        [sys.executable, "-m", module, str(width), str(height), *map(str, extra)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def settle(ms: int) -> None:
    """Let the window lay itself out and paint for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def rect(value) -> list[int]:  # a QRect, as JSON
    return [value.x(), value.y(), value.width(), value.height()]


def main() -> int:
    browser_wanted = "--browser" in sys.argv
    if browser_wanted:
        sys.argv.remove("--browser")
    width, height = int(sys.argv[1]), int(sys.argv[2])
    os.environ["QT_QPA_PLATFORM"] = screen_config(width, height)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar, QToolBar, QToolButton

    from sdstudio.ui.main_window import MainWindow

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

    tabs = []  # each dock tab bar's titles, and whether they fit whole (none elided)
    for bar in window.findChildren(QTabBar):
        if bar.isVisible() and bar.parent() is window:  # the docks' tabs, not a panel's own
            wanted, has = bar.sizeHint(), bar.size()
            fits = wanted.width() <= has.width() and wanted.height() <= has.height()
            tabs.append([[bar.tabText(index) for index in range(bar.count())], fits])
    mask_toolbar = window.findChild(QToolBar, "maskToolbar")
    overflow = mask_toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    mask_actions = {  # each action: whether its button is shown (not behind "»")
        action.objectName(): mask_toolbar.widgetForAction(action).isVisible()
        for action in mask_toolbar.actions()
        if action.objectName()
    }
    report = {
        "available": rect(window.screen().availableGeometry()),
        "mask_toolbar": {
            "actions": mask_actions,
            "overflow_shown": overflow is not None and overflow.isVisible(),
            "width": mask_toolbar.width(),
            "wanted": mask_toolbar.sizeHint().width(),
        },
        "tabs": tabs,
        "frame": rect(window.frameGeometry()),
        "window": [window.width(), window.height()],
        "canvas": [window.canvas.width(), window.canvas.height()],
        "docks": docks,
    }
    if browser_wanted:
        report["browser"] = browser_report(window)
    window.close()
    app.processEvents()
    print(json.dumps(report))
    return 0


def browser_report(window) -> dict:
    """The model browser's tree with the demo model: docked, popped out, put back."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QAction

    from sdstudio.engine.models.loading import load_model

    browser = window.inspection.browser
    loop = QEventLoop()
    browser.shapes_ready.connect(loop.quit)
    browser.shapes_failed.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    browser.set_pipeline(load_model("demo", device="cpu").pipeline, (512, 512), "demo")
    loop.exec()
    browser.raise_()
    browser.expand_to_depth(2)
    settle(200)
    shown = {"docked": columns_report(browser)}
    pop_out = browser.findChild(QAction, "browserPopOutAction")
    pop_out.trigger()
    settle(200)
    shown["popped_out"] = columns_report(browser) | {"text": pop_out.text()}
    pop_out.trigger()
    settle(200)
    shown["put_back"] = {
        "floating": browser.isFloating(),
        "area": window.dockWidgetArea(browser).name,
        "tabbed_with": sorted(other.objectName() for other in window.tabifiedDockWidgets(browser)),
        "in_front": browser.isVisible() and not browser.visibleRegion().isEmpty(),
        "text": pop_out.text(),
    }
    browser.shutdown()
    return shown


def columns_report(browser) -> dict:
    """Each column of the browser's tree: shown, its width, its header's and its contents'
    widths (Qt's size hints), and whether it ends inside the viewport."""
    from PySide6.QtCore import Qt

    view = browser.tree_view()
    header, viewport = view.header(), view.viewport()
    columns = {}
    for column in range(header.count()):
        name = header.model().headerData(column, Qt.Orientation.Horizontal)
        columns[name] = {
            "hidden": header.isSectionHidden(column),
            "width": header.sectionSize(column),
            "header": header.sectionSizeHint(column),
            "contents": view.sizeHintForColumn(column),
            "inside": header.sectionViewportPosition(column) + header.sectionSize(column)
            <= viewport.width(),
        }
    return {
        "floating": browser.isFloating(),
        "dock": [browser.width(), browser.height()],
        "viewport": [viewport.width(), viewport.height()],
        "scrolls_sideways": view.horizontalScrollBar().maximum() > 0,
        "columns": columns,
    }


if __name__ == "__main__":
    raise SystemExit(main())
