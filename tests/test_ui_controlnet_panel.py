"""The ControlNet panel: it lists the user's ControlNets, previews what the preprocessor makes
of the control image, refuses a start after the end, takes the canvas's picture, lays the map
over the canvas on request, and keeps its settings (not pictures) across restarts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QWidget,
)

from sdstudio.engine.generation.controlnet.library import controlnet_dir
from sdstudio.ui.controlnet import ControlNetPanel
from sdstudio.ui.image_convert import qimage_to_pil
from sdstudio.ui.main_window import MainWindow
from tests.random_controlnet import build_random_controlnet
from tests.ui_support import shown_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

NAME = "ui-tiny-controlnet"
SQUARE = (30, 16, 65, 47)  # left, top, right, bottom (inclusive) of the white square


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=11)


@pytest.fixture
def installed(tiny_controlnet) -> str:
    """The ControlNet as a diffusers folder where the panel looks for ControlNets."""
    folder = controlnet_dir() / NAME
    if not (folder / "config.json").is_file():
        tiny_controlnet.save_pretrained(folder, safe_serialization=True)
    return NAME


@pytest.fixture
def shapes_file(tmp_path: Path) -> Path:
    """A white square on black."""
    picture = Image.new("RGB", (96, 64), "black")
    ImageDraw.Draw(picture).rectangle(SQUARE, fill="white")
    path = tmp_path / "shapes.png"
    picture.save(path)
    return path


def _panel(qtbot) -> ControlNetPanel:
    panel = ControlNetPanel(lambda: None)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _window(qtbot, tmp_path: Path) -> MainWindow:
    return shown_window(qtbot, tmp_path / "out")


def _unit(panel: QWidget, index: int = 0) -> QWidget:
    return panel.findChild(QWidget, f"controlUnit{index}")


def _choose(unit: QWidget, name: str, data: str) -> None:
    combo = unit.findChild(QComboBox, name)
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered by {name}"
    combo.setCurrentIndex(index)


def _canny_map_of(qtbot, unit: QWidget, path: Path) -> None:
    """Open ``path`` as the unit's picture, choose canny, wait for its map."""
    unit.open_picture(path)
    qtbot.waitUntil(lambda: unit.picture() is not None)
    _choose(unit, "controlPreprocessor", "canny")
    qtbot.waitUntil(lambda: unit.shown_map() is not None)


def test_the_panel_lists_a_controlnet_put_in_the_controlnet_folder(qtbot, installed) -> None:
    panel = _panel(qtbot)
    combo = _unit(panel).findChild(QComboBox, "controlModel")

    qtbot.waitUntil(lambda: combo.findData(installed) >= 0)

    assert combo.currentData() == ""  # nothing is chosen for the user


def test_canny_on_a_drawn_square_previews_white_edges_on_black(qtbot, shapes_file) -> None:
    panel = _panel(qtbot)
    unit = _unit(panel)

    _canny_map_of(qtbot, unit, shapes_file)

    preview = unit.findChild(QLabel, "controlPreview")
    shown = np.asarray(qimage_to_pil(preview.pixmap().toImage()).convert("L"))
    assert shown.shape == (64, 96)
    left, top, right, bottom = SQUARE
    border = np.zeros(shown.shape, bool)
    border[top - 1 : bottom + 2, left - 1 : right + 2] = True
    border[top + 2 : bottom - 1, left + 2 : right - 1] = False
    assert (shown[~border] == 0).all()  # black inside and outside the square
    for column in (left, right):  # the left and right sides are edges all along
        edge = shown[top + 2 : bottom - 1, column - 1 : column + 2].max(axis=1)
        assert (edge == 255).all()


def test_a_bad_threshold_is_shown_in_the_panel_instead_of_a_preview(qtbot, shapes_file) -> None:
    panel = _panel(qtbot)
    unit = _unit(panel)
    _canny_map_of(qtbot, unit, shapes_file)

    unit.findChild(QDoubleSpinBox, "controlParam_low_threshold").setValue(250)

    note = unit.findChild(QLabel, "controlNote")
    qtbot.waitUntil(lambda: note.isVisible())
    assert "Low Threshold" in note.text() and "High Threshold" in note.text()
    assert unit.findChild(QLabel, "controlPreview").pixmap().isNull()


def test_a_start_at_or_after_the_end_is_refused_with_a_message(qtbot) -> None:
    panel = _panel(qtbot)
    unit = _unit(panel)
    start = unit.findChild(QDoubleSpinBox, "controlStart")
    end = unit.findChild(QDoubleSpinBox, "controlEnd")
    end.setValue(0.5)

    with qtbot.waitSignal(panel.failed) as refused:
        start.setValue(0.5)

    assert (start.value(), end.value()) == (0.0, 0.5)
    assert "must be below the end" in refused.args[0]
    assert "must be below the end" in unit.findChild(QLabel, "controlNote").text()


def test_use_canvas_image_takes_the_init_image(qtbot, tmp_path, shapes_file) -> None:
    window = _window(qtbot, tmp_path)
    window.init_images.open(shapes_file)
    qtbot.waitUntil(lambda: window.init_images.image() is not None)
    unit = _unit(window.controlnet)

    qtbot.mouseClick(unit.findChild(QPushButton, "controlUseCanvas"), Qt.MouseButton.LeftButton)

    assert unit.picture().tobytes() == window.init_images.image().tobytes()
    assert unit.findChild(QLabel, "controlImageName").text() == "shapes.png (96 × 64)"


def test_use_canvas_image_with_an_empty_canvas_says_so(qtbot, tmp_path) -> None:
    window = _window(qtbot, tmp_path)
    unit = _unit(window.controlnet)

    qtbot.mouseClick(unit.findChild(QPushButton, "controlUseCanvas"), Qt.MouseButton.LeftButton)

    assert unit.picture() is None
    assert window.statusBar().currentMessage().startswith("There is no picture on the canvas")


def test_the_layer_toggle_lays_the_map_over_the_canvas_and_takes_it_away(
    qtbot, tmp_path, shapes_file
) -> None:
    window = _window(qtbot, tmp_path)
    window.init_images.set_image(Image.new("RGB", (96, 64), (90, 120, 150)), "plain.png")
    unit = _unit(window.controlnet)
    _canny_map_of(qtbot, unit, shapes_file)
    toggle = window.findChild(QPushButton, "controlLayerToggle")
    assert not toggle.isChecked()
    before = window.canvas.viewport().grab().toImage()

    toggle.click()
    shown = window.canvas.viewport().grab().toImage()
    toggle.click()
    after = window.canvas.viewport().grab().toImage()

    assert shown != before
    assert after == before


def test_unit_settings_come_back_in_a_new_window(qtbot, tmp_path, installed) -> None:
    first = _window(qtbot, tmp_path)
    unit = _unit(first.controlnet, 1)
    model = unit.findChild(QComboBox, "controlModel")
    qtbot.waitUntil(lambda: model.findData(installed) >= 0)
    model.setCurrentIndex(model.findData(installed))
    unit.findChild(QCheckBox, "controlEnabled").setChecked(True)
    _choose(unit, "controlPreprocessor", "canny")
    unit.findChild(QDoubleSpinBox, "controlParam_low_threshold").setValue(40)
    unit.findChild(QDoubleSpinBox, "controlWeight").setValue(0.65)
    unit.findChild(QDoubleSpinBox, "controlEnd").setValue(0.8)
    _choose(unit, "controlMode", "prompt")
    _choose(unit, "controlResize", "Just Resize")
    assert first.close()

    second_window = _window(qtbot, tmp_path)
    second = _unit(second_window.controlnet, 1)
    model = second.findChild(QComboBox, "controlModel")
    qtbot.waitUntil(lambda: model.currentData() == installed)
    assert second.findChild(QCheckBox, "controlEnabled").isChecked()
    assert second.findChild(QComboBox, "controlPreprocessor").currentData() == "canny"
    assert second.findChild(QDoubleSpinBox, "controlParam_low_threshold").value() == 40
    assert second.findChild(QDoubleSpinBox, "controlWeight").value() == 0.65
    assert second.findChild(QDoubleSpinBox, "controlEnd").value() == 0.8
    assert second.findChild(QComboBox, "controlMode").currentData() == "prompt"
    assert second.findChild(QComboBox, "controlResize").currentData() == "Just Resize"
    assert second.picture() is None  # pictures are not kept


def test_preprocessors_that_need_weights_are_greyed_and_say_what_to_bring(qtbot) -> None:
    panel = _panel(qtbot)
    combo = _unit(panel).findChild(QComboBox, "controlPreprocessor")
    bae = combo.findData("normal_bae")

    assert not combo.model().item(bae).isEnabled()
    assert combo.model().item(combo.findData("canny")).isEnabled()
    tip = combo.itemData(bae, Qt.ItemDataRole.ToolTipRole)
    assert "needs model weights" in tip and "a normal map" in tip


def test_stored_settings_the_panel_does_not_offer_give_defaults_with_a_message(
    qtbot, tmp_path
) -> None:
    from sdstudio.ui.settings_store import SettingsStore

    store = SettingsStore()
    store.set_controlnet_units([{"enabled": True, "weight": 7, "preprocessor": "normal_bae"}])
    store.sync()

    window = _window(qtbot, tmp_path)
    unit = _unit(window.controlnet)

    assert unit.findChild(QCheckBox, "controlEnabled").isChecked()
    assert unit.findChild(QDoubleSpinBox, "controlWeight").value() == 1.0
    assert unit.findChild(QComboBox, "controlPreprocessor").currentData() == "none"
    message = window.statusBar().currentMessage()
    assert message == (
        "Some ControlNet settings could not be used; defaults for ControlNet unit 0 "
        "(preprocessor, weight)"
    )
