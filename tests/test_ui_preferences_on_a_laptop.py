"""The Preferences dialog on a 1366×768 laptop screen: it fits whole, its Save and Cancel in
view, its groups in tabs; a refused value brings its tab to the front.

The fit is measured in a process of its own (``tests/preferences_on_a_screen.py``), since the
offscreen platform's screen size is set when the application starts.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from sdstudio.ui.preferences.dialog import PreferencesDialog
from sdstudio.ui.settings_store import SettingsStore
from tests.ui_support import shown_window
from tests.window_on_a_screen import shown_on_a_screen

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

PANEL = 40  # a desktop's panel: about 728 px of a 768 px screen are left for windows
TITLE_BAR = 40  # the window manager's title bar above the dialog (offscreen draws none)


def open_preferences(width: int, height: int) -> dict:
    """What Preferences showed over the window on a ``width``×``height`` screen."""
    return shown_on_a_screen("tests.preferences_on_a_screen", width, height)


def test_preferences_fit_a_laptop_screen_with_their_buttons_in_view() -> None:
    shown = open_preferences(1366, 768)

    available = QRect(*shown["available"])
    assert available.height() == 768
    assert available.contains(QRect(*shown["frame"]))
    assert shown["dialog"][1] + TITLE_BAR <= available.height() - PANEL, shown["dialog"]
    assert set(shown["buttons"]) == {"Save", "Cancel"}
    for name, button in shown["buttons"].items():
        assert button == {"visible": True, "inside_dialog": True, "on_screen": True}, name
    assert list(shown["pages"]) == ["generalPage", "modelsPage", "serverPage"]
    assert all(page["fits"] for page in shown["pages"].values()), shown["pages"]


def test_every_field_keeps_its_name_in_its_tab(qtbot, tmp_path) -> None:
    dialog = PreferencesDialog(SettingsStore(tmp_path / "settings.ini"))
    qtbot.addWidget(dialog)
    tabs = dialog.tabs
    where = {
        "generalPage": ["outputDirEdit", "loraDirEdit", "embeddingsDirEdit", "themeCombo"],
        "modelsPage": [
            "deviceCombo",
            "taesdPathEdit",
            "taesdxlPathEdit",
            "taesdDownloadCheck",
            "depthWeightsPath",
            "poseWeightsPath",
            *(f"{name}Check" for name in dialog.memory_checks),
        ],
        "serverPage": ["serverUrl", "serverToken", "serverEnabled"],
    }
    for index, (page_name, names) in enumerate(where.items()):
        page = tabs.widget(index)
        assert page.objectName() == page_name
        for name in names:
            assert page.findChild(object, name) is not None, (page_name, name)
    assert [tabs.tabText(index) for index in range(tabs.count())] == [
        "General",
        "Models && previews",  # shown as "Models & previews"
        "Server",
    ]
    for name in ("preferencesNote", "preferencesError"):  # under the tabs, seen from each
        assert tabs.findChild(object, name) is None and dialog.findChild(object, name)


def test_a_refused_value_brings_its_tab_to_the_front(qtbot, tmp_path) -> None:
    dialog = PreferencesDialog(SettingsStore(tmp_path / "settings.ini"))
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)

    dialog.findChild(QLineEdit, "serverUrl").setText("localhost:7861")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.tabs.currentWidget().objectName() == "serverPage"
    assert dialog.findChild(QLineEdit, "serverUrl").isVisible()

    dialog.findChild(QLineEdit, "serverUrl").clear()
    dialog.findChild(QLineEdit, "taesdPathEdit").setText(str(tmp_path / "no-such-weights"))
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.tabs.currentWidget().objectName() == "modelsPage"

    dialog.findChild(QLineEdit, "taesdPathEdit").clear()
    dialog.findChild(QLineEdit, "outputDirEdit").setText("relative/folder")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.tabs.currentWidget().objectName() == "generalPage"
    assert "Output folder: use a full path" in dialog.findChild(object, "preferencesError").text()
    assert dialog.isVisible()


def test_the_taesd_message_opens_preferences_on_the_previews_tab(qtbot, tmp_path) -> None:
    window = shown_window(qtbot, tmp_path / "out")
    dialog = window.preferences.open_previews()  # the TAESD fallback's "Open Preferences…"
    assert dialog.tabs.currentWidget().objectName() == "modelsPage"
    assert dialog.findChild(QLineEdit, "taesdPathEdit").isVisible()
    dialog.reject()
