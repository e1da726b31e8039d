"""Opening or dropping an image that carries settings: restore them, or use it as the init image."""

from __future__ import annotations

import json

import pytest
from PIL import Image, PngImagePlugin
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from sdstudio.engine.metadata import GenerationRecord, save_generation
from sdstudio.ui.parameters_dialog import ParametersDialog
from tests.ui_support import drop_file, make_window

# Dialogs on the offscreen platform: it cannot pass size hints on, and says so.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

A1111_TEXT = (
    "a castle on a hill,\nmisty morning\n"
    "Negative prompt: lowres\n"
    "Steps: 12, Sampler: DPM++ 2M Karras, CFG scale: 5.5, Seed: 31337, Size: 640x448, "
    'Model hash: 0123456789, Model: "v1-5, pruned", Denoising strength: 0.4'
)


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    return make_window(qtbot, demo_model, tmp_path / "out")


def _png_with(path, **texts: str):
    info = PngImagePlugin.PngInfo()
    for key, value in texts.items():
        info.add_text(key, value)
    Image.new("RGB", (80, 48), (30, 160, 60)).save(path, pnginfo=info)
    return path


def _dialog(window) -> ParametersDialog:
    dialog = window.findChild(ParametersDialog, "parametersDialog")
    assert dialog is not None and dialog.isVisible()
    return dialog


def _wait_for_dialog(qtbot, window) -> None:
    """The file is read in the background; the dialog opens once it has been."""
    qtbot.waitUntil(lambda: window.findChild(ParametersDialog, "parametersDialog") is not None)


def test_restore_an_a1111_image(window, qtbot, tmp_path) -> None:
    path = _png_with(tmp_path / "castle.png", parameters=A1111_TEXT)
    drop_file(window, path)
    _wait_for_dialog(qtbot, window)
    dialog = _dialog(window)
    assert "A1111" in dialog.message_label.text()
    assert "Seed: 31337" in dialog.parameters_edit.toPlainText()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    controls = window.controls
    assert controls.prompt_edit.toPlainText() == "a castle on a hill,\nmisty morning"
    assert controls.negative_edit.toPlainText() == "lowres"
    assert controls.steps_spin.value() == 12
    assert controls.scheduler_combo.currentText() == "DPM++ 2M Karras"
    assert controls.cfg_spin.value() == 5.5
    assert controls.seed_row.seed() == 31337 and not controls.seed_row.random_check.isChecked()
    assert controls.size_row.dimensions() == (640, 448)
    assert controls.strength_row.strength() == 0.4
    assert window.init_images.image() is None  # restoring is not img2img
    assert window.statusBar().currentMessage() == "Restored the settings of castle.png."
    qtbot.waitUntil(lambda: window.findChild(ParametersDialog) is None)  # closed and gone


def test_restore_our_own_image(window, qtbot, tmp_path) -> None:
    record = GenerationRecord(
        "a fox", steps=7, cfg_scale=3.0, seed=5, width=128, height=64, scheduler="Heun"
    )
    path = save_generation(Image.new("RGB", (128, 64)), record, tmp_path / "mine")
    drop_file(window, path)
    _wait_for_dialog(qtbot, window)
    qtbot.mouseClick(_dialog(window).restore_button, Qt.MouseButton.LeftButton)
    controls = window.controls
    assert controls.prompt_edit.toPlainText() == "a fox"
    assert (controls.steps_spin.value(), controls.scheduler_combo.currentText()) == (7, "Heun")
    assert controls.size_row.dimensions() == (128, 64)


def test_settings_that_cannot_be_restored_are_listed(window, qtbot, tmp_path):
    text = "a boat\nSteps: 400, Sampler: Restart, CFG scale: 6, Seed: 9, Size: 512x512"
    path = _png_with(tmp_path / "boat.png", parameters=text)
    drop_file(window, path)
    _wait_for_dialog(qtbot, window)
    qtbot.mouseClick(_dialog(window).restore_button, Qt.MouseButton.LeftButton)
    message = window.statusBar().currentMessage()
    assert message.startswith("Restored the settings of boat.png. Skipped: ")
    assert "Sampler 'Restart' is not available in sdstudio" in message
    assert "Steps 400 is outside what sdstudio allows (1–150)" in message
    assert window.controls.prompt_edit.toPlainText() == "a boat"
    assert window.controls.cfg_spin.value() == 6.0


def test_use_it_as_the_init_image_instead(window, qtbot, tmp_path) -> None:
    path = _png_with(tmp_path / "castle.png", parameters=A1111_TEXT)
    drop_file(window, path)
    _wait_for_dialog(qtbot, window)
    with qtbot.waitSignal(window.init_images.opened):
        qtbot.mouseClick(_dialog(window).init_button, Qt.MouseButton.LeftButton)
    assert window.init_images.image().size == (80, 48)
    assert window.controls.prompt_edit.toPlainText() == ""  # settings untouched


def test_comfyui_images_cannot_be_restored(window, qtbot, tmp_path) -> None:
    graph = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 1}}})
    path = _png_with(tmp_path / "comfy.png", prompt=graph)
    drop_file(window, path)
    _wait_for_dialog(qtbot, window)
    dialog = _dialog(window)
    assert "cannot restore" in dialog.message_label.text()
    assert "KSampler" in dialog.parameters_edit.toPlainText()
    assert not dialog.restore_button.isEnabled()
    with qtbot.waitSignal(window.init_images.opened):
        qtbot.mouseClick(dialog.init_button, Qt.MouseButton.LeftButton)
    assert window.init_images.image() is not None


def test_an_image_without_settings_becomes_the_init_image(window, qtbot, tmp_path):
    path = tmp_path / "plain.png"
    Image.new("RGB", (72, 40), "white").save(path)
    with qtbot.waitSignal(window.init_images.opened):
        drop_file(window, path)
    assert window.findChild(ParametersDialog) is None
    assert window.init_images.image().size == (72, 40)


def test_the_open_dialog_asks_too(window, qtbot, tmp_path) -> None:
    path = _png_with(tmp_path / "castle.png", parameters=A1111_TEXT)
    window.window_actions.open.trigger()
    file_dialog = window.findChild(QFileDialog)
    file_dialog.fileSelected.emit(str(path))  # what choosing the file does
    _wait_for_dialog(qtbot, window)
    file_dialog.close()
    qtbot.mouseClick(_dialog(window).restore_button, Qt.MouseButton.LeftButton)
    assert window.controls.seed_row.seed() == 31337
