"""Preferences: values are checked, saved to settings.ini and used by the window (now or next)."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
)
from safetensors.torch import save_file

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.preferences.theme import apply_theme
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.worker_events import ModelReady
from tests.ui_support import generate_and_wait, wait_for

# Dialogs shown (and raised) offscreen.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def _window(qtbot) -> MainWindow:
    """A window as the app opens it: no folder or device from the command line."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def _open_preferences(window: MainWindow) -> QDialog:
    window.window_actions.preferences.trigger()
    shown = [each for each in window.findChildren(QDialog, "preferencesDialog") if each.isVisible()]
    assert len(shown) == 1
    return shown[0]


def _edit(dialog: QDialog, name: str) -> QLineEdit:
    return dialog.findChild(QLineEdit, name)


def _save(dialog: QDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    buttons.button(QDialogButtonBox.StandardButton.Save).click()


def _error(dialog: QDialog) -> QLabel:
    return dialog.findChild(QLabel, "preferencesError")


def test_the_output_folder_is_saved_and_a_new_window_saves_there(
    qtbot, demo_model, tmp_path
) -> None:
    renders = tmp_path / "renders"
    renders.mkdir()
    first = _window(qtbot)
    dialog = _open_preferences(first)
    _edit(dialog, "outputDirEdit").setText(str(renders))
    _save(dialog)
    assert not dialog.isVisible()
    assert SettingsStore().output_dir == renders
    assert first.close()

    second = _window(qtbot)
    assert _edit(_open_preferences(second), "outputDirEdit").text() == str(renders)
    with wait_for(qtbot, second.worker, ModelReady):
        second.use_model(demo_model)
    second.controls.size_row.set_size(64, 64)
    second.controls.steps_spin.setValue(2)
    generate_and_wait(qtbot, second)
    assert second.result().path.parent == renders


def test_a_taesd_path_that_does_not_exist_is_refused(qtbot, tmp_path) -> None:
    window = _window(qtbot)
    dialog = _open_preferences(window)
    missing = tmp_path / "no-such-taesd"
    _edit(dialog, "taesdPathEdit").setText(str(missing))
    _save(dialog)
    assert dialog.isVisible()
    assert _error(dialog).isVisible()
    assert f"TAESD weights not found: {missing}" in _error(dialog).text()
    assert SettingsStore().taesd_path("taesd") == ""


def test_a_taesd_folder_without_weights_is_refused(qtbot, tmp_path) -> None:
    window = _window(qtbot)
    dialog = _open_preferences(window)
    empty = tmp_path / "empty"
    empty.mkdir()
    _edit(dialog, "taesdxlPathEdit").setText(str(empty))
    _save(dialog)
    assert dialog.isVisible()
    assert f"TAESDXL weights: {empty} has no config.json" in _error(dialog).text()
    assert SettingsStore().taesd_path("taesdxl") == ""


def test_taesd_weights_that_exist_are_kept(qtbot, tmp_path) -> None:
    weights = tmp_path / "taesd"
    weights.mkdir()
    (weights / "config.json").write_text("{}")
    dialog = _open_preferences(_window(qtbot))
    _edit(dialog, "taesdPathEdit").setText(str(weights))
    dialog.findChild(QCheckBox, "taesdDownloadCheck").setChecked(True)
    _save(dialog)
    assert not dialog.isVisible()
    store = SettingsStore()
    assert store.taesd_path("taesd") == str(weights) and store.allow_taesd_download


def test_a_missing_folder_is_created_when_the_user_agrees(qtbot, tmp_path) -> None:
    window = _window(qtbot)
    dialog = _open_preferences(window)
    loras = tmp_path / "new" / "loras"
    _edit(dialog, "loraDirEdit").setText(str(loras))
    _save(dialog)
    box = dialog.confirm_box
    assert box is not None and str(loras) in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert loras.is_dir()
    assert not dialog.isVisible()
    assert SettingsStore().lora_dir == loras


def test_a_missing_folder_the_user_does_not_want_is_not_saved(qtbot, tmp_path) -> None:
    window = _window(qtbot)
    dialog = _open_preferences(window)
    embeddings = tmp_path / "embeddings"
    _edit(dialog, "embeddingsDirEdit").setText(str(embeddings))
    _save(dialog)
    dialog.confirm_box.button(QMessageBox.StandardButton.No).click()
    assert dialog.isVisible() and not embeddings.exists()
    assert "Not saved" in _error(dialog).text()
    assert SettingsStore().embeddings_dir is None


def test_a_relative_folder_is_refused(qtbot) -> None:
    dialog = _open_preferences(_window(qtbot))
    _edit(dialog, "outputDirEdit").setText("renders")
    _save(dialog)
    assert "Output folder: use a full path" in _error(dialog).text()


def test_the_chosen_lora_folder_is_listed_in_a_new_window(qtbot, tmp_path) -> None:
    loras = tmp_path / "my-loras"
    loras.mkdir()
    save_file({"w": torch.zeros(1)}, str(loras / "harbour_light.safetensors"))
    first = _window(qtbot)
    dialog = _open_preferences(first)
    _edit(dialog, "loraDirEdit").setText(str(loras))
    _save(dialog)
    assert first.close()

    model = _window(qtbot).networks.model

    def names() -> list[str]:
        return [model.index(row, 0).data() for row in range(model.rowCount())]

    qtbot.waitUntil(lambda: "harbour_light" in names())


def test_memory_options_and_device_are_saved_and_shown(qtbot) -> None:
    window = _window(qtbot)
    dialog = _open_preferences(window)
    dialog.findChild(QCheckBox, "vae_tilingCheck").setChecked(True)
    device = dialog.findChild(QComboBox, "deviceCombo")
    device.setCurrentIndex(device.findData("cpu"))
    _save(dialog)
    assert window.model_picker.option_actions["vae_tiling"].isChecked()  # the Model menu
    store = SettingsStore()
    assert store.load_options().vae_tiling and store.device == "cpu"
    assert window.close()

    about = _window(qtbot).help.open_about()
    assert about.findChild(QLabel, "deviceLabel").text() == "cpu (no model loaded yet)"


def test_the_dark_theme_applies_now_and_system_gives_the_look_back(qtbot) -> None:
    window_colour = QApplication.palette().color(QPalette.ColorRole.Window)
    try:
        window = _window(qtbot)
        dialog = _open_preferences(window)
        theme = dialog.findChild(QComboBox, "themeCombo")
        theme.setCurrentIndex(theme.findData("dark"))
        _save(dialog)
        assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert SettingsStore().theme == "dark"

        dialog = _open_preferences(window)
        theme = dialog.findChild(QComboBox, "themeCombo")
        assert theme.currentData() == "dark"
        theme.setCurrentIndex(theme.findData("system"))
        _save(dialog)
        assert QApplication.palette().color(QPalette.ColorRole.Window) == window_colour
    finally:
        apply_theme("system")


def test_a_second_preferences_command_raises_the_open_dialog(qtbot) -> None:
    window = _window(qtbot)
    first = _open_preferences(window)
    window.window_actions.preferences.trigger()
    assert window.findChildren(QDialog, "preferencesDialog") == [first]
    first.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel).click()
    assert window.preferences.dialog is None
    qtbot.waitUntil(lambda: window.findChildren(QDialog, "preferencesDialog") == [])  # freed
