"""The window's depth, normal and pose preprocessors: offered once Preferences points at their
model folders, previewed off the GUI thread, and saying in the unit what is wrong otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QWidget

from sdstudio.engine.controlnet_preprocessors import AnnotatorWeights, default_annotator_dir
from sdstudio.ui.controlnet.unit_widget import ControlUnitWidget
from sdstudio.ui.image_convert import qimage_to_pil
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.settings_store import SettingsStore
from tests.tiny_annotators import save_tiny_dpt, save_tiny_vitpose
from tests.ui_support import shown_window

pytestmark = pytest.mark.qt_log_ignore(
    "propagateSizeHints", "does not support raise", "does not support grabbing"
)


@pytest.fixture(scope="module")
def dpt_folder(tmp_path_factory) -> Path:
    return save_tiny_dpt(tmp_path_factory.mktemp("ui-dpt"))


@pytest.fixture(scope="module")
def vitpose_folder(tmp_path_factory) -> Path:
    return save_tiny_vitpose(tmp_path_factory.mktemp("ui-vitpose"))


@pytest.fixture
def picture() -> Image.Image:
    picture = Image.new("RGB", (96, 64), (20, 40, 60))
    ImageDraw.Draw(picture).ellipse((30, 10, 70, 50), fill="white")
    return picture


def _window(qtbot, tmp_path: Path) -> MainWindow:
    return shown_window(qtbot, tmp_path / "out")


def _unit(qtbot, weights: AnnotatorWeights) -> ControlUnitWidget:
    unit = ControlUnitWidget(0, lambda: None, annotator_weights=lambda: weights)
    qtbot.addWidget(unit)
    unit.show()
    return unit


def _combo(unit: QWidget) -> QComboBox:
    return unit.findChild(QComboBox, "controlPreprocessor")


def _offered(unit: QWidget, name: str) -> bool:
    combo = _combo(unit)
    return combo.model().item(combo.findData(name)).isEnabled()


def _tip(unit: QWidget, name: str) -> str:
    combo = _combo(unit)
    return combo.itemData(combo.findData(name), Qt.ItemDataRole.ToolTipRole)


def _choose(unit: QWidget, name: str) -> None:
    combo = _combo(unit)
    combo.setCurrentIndex(combo.findData(name))


def _note(unit: QWidget) -> QLabel:
    return unit.findChild(QLabel, "controlNote")


def _save_preferences(window: MainWindow, edits: dict[str, str]) -> QDialog:
    window.window_actions.preferences.trigger()
    dialog = next(
        each for each in window.findChildren(QDialog, "preferencesDialog") if each.isVisible()
    )
    for name, text in edits.items():
        dialog.findChild(QLineEdit, name).setText(text)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    return dialog


def test_without_weights_depth_normal_and_pose_are_greyed_and_say_where_weights_go(
    qtbot,
) -> None:
    unit = _unit(qtbot, AnnotatorWeights())

    for name in ("depth", "depth_anything_v2", "normal_map", "openpose"):
        assert not _offered(unit, name), name
    assert str(default_annotator_dir("depth")) in _tip(unit, "depth")
    assert str(default_annotator_dir("pose")) in _tip(unit, "openpose")
    assert "Preferences → ControlNet preprocessors" in _tip(unit, "normal_map")
    assert 'choose the preprocessor "none"' in _tip(unit, "openpose")


def test_a_depth_folder_set_in_preferences_offers_depth_and_previews_its_map(
    qtbot, tmp_path, dpt_folder, picture
) -> None:
    window = _window(qtbot, tmp_path)
    unit = window.controlnet.units[0]
    assert not _offered(unit, "depth")

    dialog = _save_preferences(window, {"depthWeightsPathEdit": str(dpt_folder)})

    assert not dialog.isVisible()
    assert SettingsStore().annotator_weights() == AnnotatorWeights(depth=dpt_folder)
    qtbot.waitUntil(lambda: _offered(unit, "depth"))
    assert _offered(unit, "normal_map")
    assert not _offered(unit, "openpose")  # no pose folder
    assert str(dpt_folder) in _tip(unit, "depth")

    unit.set_picture(picture)
    _choose(unit, "depth")
    qtbot.waitUntil(lambda: unit.shown_map() is not None, timeout=60_000)
    shown = np.asarray(
        qimage_to_pil(unit.findChild(QLabel, "controlPreview").pixmap().toImage()).convert("RGB")
    )
    assert shown.shape == (64, 96, 3)
    assert (shown[..., 0] == shown[..., 1]).all() and (shown[..., 1] == shown[..., 2]).all()
    assert shown.min() == 0 and shown.max() == 255
    assert not _note(unit).isVisible()


def test_a_pose_folder_gives_a_skeleton_preview_and_the_run_uses_it(
    qtbot, vitpose_folder, picture
) -> None:
    unit = _unit(qtbot, AnnotatorWeights(pose=vitpose_folder))
    assert _offered(unit, "openpose")

    unit.set_picture(picture)
    _choose(unit, "openpose")

    qtbot.waitUntil(lambda: unit.shown_map() is not None, timeout=60_000)
    assert unit.shown_map().size == (96, 64)
    assert "one person" in unit.findChild(QComboBox, "controlPreprocessor").itemData(
        _combo(unit).findData("openpose"), Qt.ItemDataRole.ToolTipRole
    )


def test_a_model_that_does_not_load_is_told_in_the_unit(qtbot, tmp_path, picture) -> None:
    folder = tmp_path / "broken-depth"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "no-such-model"}))
    (folder / "preprocessor_config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"\0" * 16)
    unit = _unit(qtbot, AnnotatorWeights(depth=folder))
    assert _offered(unit, "depth")  # the files are there; loading says the rest

    unit.set_picture(picture)
    _choose(unit, "depth")

    note = _note(unit)
    qtbot.waitUntil(note.isVisible, timeout=60_000)
    assert note.text().startswith(f"Could not load the depth model in {folder}")
    assert "Traceback" not in note.text()
    assert unit.shown_map() is None


def test_weights_put_in_the_folder_are_offered_when_the_list_is_opened(
    qtbot, tmp_path, dpt_folder
) -> None:
    folder = tmp_path / "depth-later"
    unit = _unit(qtbot, AnnotatorWeights(depth=folder))
    assert not _offered(unit, "depth")

    folder.mkdir()
    for each in dpt_folder.iterdir():
        (folder / each.name).write_bytes(each.read_bytes())
    _combo(unit).showPopup()
    _combo(unit).hidePopup()

    assert _offered(unit, "depth")


def test_preferences_refuse_a_depth_folder_without_weights(qtbot, tmp_path) -> None:
    window = _window(qtbot, tmp_path)
    empty = tmp_path / "no-weights"
    empty.mkdir()

    dialog = _save_preferences(window, {"poseWeightsPathEdit": str(empty)})

    assert dialog.isVisible()
    error = dialog.findChild(QLabel, "preferencesError").text()
    assert f"Pose model folder: {empty} cannot be used, it has no config.json" in error
    assert SettingsStore().annotator_dir("pose") is None
    dialog.reject()


def test_the_rows_show_the_default_folders_and_the_stored_paths(qtbot, tmp_path) -> None:
    store = SettingsStore()
    store.set_annotator_dir("pose", tmp_path / "pose")
    store.sync()
    window = _window(qtbot, tmp_path)
    window.window_actions.preferences.trigger()
    dialog = window.preferences.dialog

    depth = dialog.findChild(QWidget, "depthWeightsPath").findChild(QLineEdit)
    pose = dialog.findChild(QLineEdit, "poseWeightsPathEdit")
    assert depth.text() == "" and depth.placeholderText() == str(default_annotator_dir("depth"))
    assert pose.text() == str(tmp_path / "pose")
    dialog.reject()


def test_a_damaged_stored_folder_gives_the_default_with_a_note(tmp_path) -> None:
    store = SettingsStore()
    store._settings.setValue("controlnet/depth_weights", "x" * 5000)
    notes: list[str] = []
    store.report_problems(notes.append)

    assert store.annotator_weights() == AnnotatorWeights()
    assert notes and "ignored it" in notes[0]


def test_a_stored_depth_unit_comes_back_as_depth_and_says_where_weights_go(
    qtbot, tmp_path, picture
) -> None:
    store = SettingsStore()
    store.set_controlnet_units([{"enabled": False, "preprocessor": "depth"}])
    store.sync()

    window = _window(qtbot, tmp_path)
    unit = window.controlnet.units[0]

    assert _combo(unit).currentData() == "depth"
    assert "could not be used" not in window.statusBar().currentMessage()
    unit.set_picture(picture)
    qtbot.waitUntil(_note(unit).isVisible, timeout=60_000)
    assert str(default_annotator_dir("depth")) in _note(unit).text()
