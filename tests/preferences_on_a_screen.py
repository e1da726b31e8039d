"""Open Preferences over the window on a screen of a given size; print what a user sees, as JSON.

    python -m tests.preferences_on_a_screen WIDTH HEIGHT

In a process of its own, as ``tests/window_on_a_screen.py`` (whose screen it borrows): the
offscreen platform's screen size is fixed when the application starts.
"""

from __future__ import annotations

import json
import os
import sys

from tests.window_on_a_screen import rect, screen_config, settle


def main() -> int:
    width, height = int(sys.argv[1]), int(sys.argv[2])
    os.environ["QT_QPA_PLATFORM"] = screen_config(width, height)
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from sdstudio.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(device="cpu")
    window.show()
    settle(100)
    dialog = window.preferences.open()
    settle(200)
    available = dialog.screen().availableGeometry()
    buttons = {}
    for button in dialog.buttons.buttons():
        on_screen = QRect(button.mapToGlobal(button.rect().topLeft()), button.size())
        buttons[button.text().replace("&", "")] = {
            "visible": button.isVisible() and not button.visibleRegion().isEmpty(),
            "inside_dialog": dialog.rect().contains(
                QRect(button.mapTo(dialog, button.rect().topLeft()), button.size())
            ),
            "on_screen": available.contains(on_screen),
        }
    pages = {}  # each tab: whether its groups get the height they ask for
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        settle(50)
        page = dialog.tabs.currentWidget()
        pages[page.objectName()] = {
            "title": dialog.tabs.tabText(index),
            "fits": page.minimumSizeHint().height() <= page.height()
            and page.minimumSizeHint().width() <= page.width(),
        }
    report = {
        "available": rect(available),
        "frame": rect(dialog.frameGeometry()),
        "dialog": [dialog.width(), dialog.height()],
        "buttons": buttons,
        "pages": pages,
    }
    dialog.reject()
    window.close()
    app.processEvents()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
