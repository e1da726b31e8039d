"""The Help menu: About names versions, device and SDSTUDIO_HOME; shortcuts come from actions."""

from __future__ import annotations

from importlib import metadata

import PySide6
import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

import sdstudio
from sdstudio.ui.main_window import MainWindow
from tests.ui_support import make_window, shown_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, tmp_path) -> MainWindow:
    return shown_window(qtbot, tmp_path / "out")


def _help_action(window: MainWindow, name: str) -> QAction:
    menu = window.window_actions.help_menu
    (action,) = [each for each in menu.actions() if each.objectName() == name]
    return action


def _label(dialog: QDialog, name: str) -> str:
    return dialog.findChild(QLabel, name).text()


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.urls.append(url)


def test_about_names_the_versions_the_device_and_the_home_folder(window, sdstudio_home):
    _help_action(window, "aboutAction").trigger()
    dialog = window.findChild(QDialog, "aboutDialog")
    assert dialog is not None and dialog.isVisible()
    assert _label(dialog, "homeLabel") == str(sdstudio_home)
    assert _label(dialog, "sdstudioVersionLabel") == sdstudio.__version__
    assert _label(dialog, "torchVersionLabel") == metadata.version("torch")
    assert _label(dialog, "diffusersVersionLabel") == metadata.version("diffusers")
    assert _label(dialog, "pysideVersionLabel") == PySide6.__version__  # PySide6-Essentials too
    assert _label(dialog, "deviceLabel") == "cpu (no model loaded yet)"


def test_about_says_where_the_loaded_model_runs(qtbot, demo_model, tmp_path) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    dialog = window.help.open_about()
    assert _label(dialog, "deviceLabel") == "cpu (float32)"


def test_open_logs_folder_opens_sdstudio_home(window, sdstudio_home) -> None:
    dialog = window.help.open_about()
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "catch")
    try:
        dialog.findChild(QPushButton, "openLogsButton").click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in catcher.urls] == [str(sdstudio_home)]


def test_shortcuts_list_generate_with_the_keys_its_action_has(window) -> None:
    _help_action(window, "shortcutsAction").trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    generate = window.window_actions.generate
    keys = ", ".join(
        each.toString(QKeySequence.SequenceFormat.NativeText) for each in generate.shortcuts()
    )
    assert keys  # Ctrl+Enter, from any field
    rows = dialog.rows()
    assert ("Generate", keys) in rows
    assert ("Cancel", "Esc") in rows  # a button's shortcut is listed too
    assert len(rows) == len(set(rows))


def test_a_shortcut_given_to_a_new_action_shows_up(window) -> None:
    """The list is read from the actions, so a new one needs no list to be edited."""
    action = QAction("Sharpen Everything", window)
    action.setShortcut(QKeySequence("Ctrl+Alt+J"))
    window.addAction(action)
    rows = window.help.open_shortcuts().rows()
    expected = QKeySequence("Ctrl+Alt+J").toString(QKeySequence.SequenceFormat.NativeText)
    assert ("Sharpen Everything", expected) in rows
