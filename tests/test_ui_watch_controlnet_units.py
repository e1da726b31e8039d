"""Watching a ControlNet's module in any unit of the window: the model browser's "Watch this
module" offers one checkable "Watch in Unit N" per unit of the ControlNet panel, naming its
model and whether it is enabled; choosing Unit 1 watches ``controlnet_1.<path>``, a run
records it at the traced shape, the Activations panel says which unit it is, and choosing it
again stops watching."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMenu, QToolButton, QWidget

from sdstudio.engine.generation.controlnet.cache import CONTROLNETS
from sdstudio.engine.generation.controlnet.library import controlnet_dir
from sdstudio.ui.main_window import MainWindow
from tests.random_controlnet import build_random_controlnet
from tests.ui_support import WAIT_MS, generate_and_wait, make_window

# The offscreen platform cannot give a popup the keyboard; the source list opens all the same.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "This plugin does not support")

NAME = "ui-watch-units"
MODULE = "controlnet.down_blocks.0"
IN_UNIT_1 = "controlnet_1.down_blocks.0"


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=14)


@pytest.fixture
def window(qtbot, demo_model, tiny_controlnet, tmp_path) -> MainWindow:
    """A 64×64 window whose browser shows the tiny ControlNet, ``MODULE`` selected."""
    folder = controlnet_dir() / NAME
    if not (folder / "config.json").is_file():
        tiny_controlnet.save_pretrained(folder, safe_serialization=True)
    win = make_window(qtbot, demo_model, tmp_path / "out", steps=2)
    win.controls.prompt_edit.setPlainText("a red circle")
    preview = win.controls.preview_combo
    preview.setCurrentIndex(preview.findData("none"))
    browser = win.inspection.browser
    status = browser.findChild(QLabel, "modelShapesStatus")
    qtbot.waitUntil(lambda: status.text().startswith("Output shapes at 64×64"), timeout=WAIT_MS)
    source = browser.findChild(QComboBox, "modelSource")
    source.showPopup()  # lists the ControlNet folder again, as opening the list does
    source.hidePopup()
    with qtbot.waitSignal(browser.shapes_ready, timeout=WAIT_MS):
        source.setCurrentIndex(source.findText(f"ControlNet: {NAME}"))
        source.activated.emit(source.currentIndex())
    assert browser.select_path(MODULE)
    yield win
    CONTROLNETS.release()


def _set_up_unit(qtbot, window: MainWindow, index: int, enabled: bool = True) -> None:
    unit = window.controlnet.findChild(QWidget, f"controlUnit{index}")
    combo = unit.findChild(QComboBox, "controlModel")
    qtbot.waitUntil(lambda: combo.findData(NAME) >= 0)
    combo.setCurrentIndex(combo.findData(NAME))
    picture = Image.new("RGB", (64, 64), "black")
    ImageDraw.Draw(picture).ellipse((16, 16, 48, 48), fill="white")
    unit.set_picture(picture, "disc.png")
    unit.findChild(QCheckBox, "controlEnabled").setChecked(enabled)


def _unit_menu(window: MainWindow) -> QMenu:
    menu = window.inspection.browser.findChild(QMenu, "watchUnitMenu")
    menu.aboutToShow.emit()  # what opening it does: the units as they are now
    return menu


def _in_unit(window: MainWindow, index: int) -> QAction:
    return _unit_menu(window).findChild(QAction, f"watchInUnit{index}")


def test_unit_1_is_watched_recorded_at_the_traced_shape_and_unwatched(qtbot, window) -> None:
    _set_up_unit(qtbot, window, 0)
    _set_up_unit(qtbot, window, 1)
    inspection = window.inspection
    action = inspection.watch_action
    assert action.menu() is _unit_menu(window)
    button = next(
        each
        for each in inspection.browser.findChildren(QToolButton)
        if each.defaultAction() is action
    )
    assert button.popupMode() is QToolButton.ToolButtonPopupMode.MenuButtonPopup
    texts = [each.text() for each in _unit_menu(window).actions()]
    assert texts == [
        f"Watch in Unit 0: {NAME} (enabled)",
        f"Watch in Unit 1: {NAME} (enabled)",
        "Watch in Unit 2: no ControlNet chosen (not enabled)",
    ]
    assert not _in_unit(window, 2).isEnabled()

    _in_unit(window, 1).trigger()

    assert inspection.watch_list.paths == (IN_UNIT_1,)
    assert _in_unit(window, 1).isChecked() and not _in_unit(window, 0).isChecked()
    assert action.text() == "Stop watching"
    panel = inspection.activations
    assert panel.module_combo.currentText() == IN_UNIT_1
    unit_label = panel.findChild(QLabel, "activationUnit")
    assert unit_label.text() == f"ControlNet 1 of the run: Unit 1 ({NAME})"

    generate_and_wait(qtbot, window)

    frames = panel.recorded_frames(IN_UNIT_1)
    assert [frame.step for frame in frames] == [1, 2]
    traced = inspection.browser.root().find(MODULE).shape_record.outputs[0][1]
    assert {frame.shape for frame in frames} == {traced} == {(2, 32, 4, 4)}
    assert panel.caption.text().startswith(f"{IN_UNIT_1} — step 2/2 — output 2×32×4×4")

    _in_unit(window, 1).trigger()

    assert inspection.watch_list.paths == ()
    assert not _in_unit(window, 1).isChecked()
    assert action.text() == "Watch this module"
    assert panel.module_combo.count() == 0 and unit_label.isHidden()


def test_units_are_named_by_their_place_among_the_enabled_ones(qtbot, window) -> None:
    _set_up_unit(qtbot, window, 0, enabled=False)
    _set_up_unit(qtbot, window, 1)
    _set_up_unit(qtbot, window, 2)
    inspection = window.inspection

    assert not _in_unit(window, 0).isEnabled()
    assert "Enable Unit 0 in the ControlNet panel" in _in_unit(window, 0).toolTip()
    _in_unit(window, 2).trigger()  # the second enabled unit
    assert inspection.watch_list.paths == (IN_UNIT_1,)
    unit_label = inspection.activations.findChild(QLabel, "activationUnit")
    assert unit_label.text() == f"ControlNet 1 of the run: Unit 2 ({NAME})"

    window.controlnet.findChild(QWidget, "controlUnit2").findChild(
        QCheckBox, "controlEnabled"
    ).setChecked(False)  # the label and the menu follow the panel
    assert unit_label.text() == (
        "ControlNet 1 of the run: no such unit now (enable 2 units in the ControlNet panel)"
    )
    assert not _in_unit(window, 2).isEnabled()

    inspection.watch_action.trigger()  # "Stop watching": in every unit
    assert inspection.watch_list.paths == ()
    inspection.watch_action.trigger()  # "Watch this module": in the first enabled unit
    assert inspection.watch_list.paths == (MODULE,)
    assert _in_unit(window, 1).isChecked()


def test_the_loaded_models_modules_get_no_unit_menu(qtbot, window) -> None:
    browser = window.inspection.browser
    source = browser.findChild(QComboBox, "modelSource")
    source.setCurrentIndex(0)
    source.activated.emit(0)
    assert browser.select_path("unet.mid_block")

    assert window.inspection.watch_action.menu() is None
    window.inspection.watch_action.trigger()
    assert window.inspection.watch_list.paths == ("unet.mid_block",)
    assert not window.inspection.activations.findChild(QLabel, "activationUnit").isVisible()
