"""Generate with a ControlNet unit enabled in the window: the unit steers the picture and is
named in its infotext as A1111 names it; at weight 0 it changes nothing; a unit that cannot
run refuses Generate with a message and queues nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QWidget

from sdstudio.engine.generation.controlnet.cache import CONTROLNETS
from sdstudio.engine.generation.controlnet.library import controlnet_dir
from sdstudio.engine.metadata import parse_infotext
from sdstudio.ui.main_window import MainWindow
from tests.helpers import max_pixel_difference
from tests.random_controlnet import build_random_controlnet
from tests.ui_support import WAIT_MS, make_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

NAME = "ui-generate-controlnet"


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=12)


@pytest.fixture
def window(qtbot, demo_model, tiny_controlnet, tmp_path) -> MainWindow:
    """A window for fast 64×64 runs at a fixed seed, with the ControlNet in its folder."""
    folder = controlnet_dir() / NAME
    if not (folder / "config.json").is_file():
        tiny_controlnet.save_pretrained(folder, safe_serialization=True)
    win = make_window(qtbot, demo_model, tmp_path / "out")
    controls = win.controls
    controls.preview_combo.setCurrentIndex(controls.preview_combo.findData("none"))
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(7)
    controls.prompt_edit.setPlainText("a red circle")
    yield win
    CONTROLNETS.release()


def _unit(window: MainWindow, index: int = 0) -> QWidget:
    return window.controlnet.findChild(QWidget, f"controlUnit{index}")


def _shapes() -> Image.Image:
    """A white disc on black, wider than the run: canny finds its outline, resizing crops."""
    picture = Image.new("RGB", (96, 64), "black")
    ImageDraw.Draw(picture).ellipse((30, 12, 70, 52), fill="white")
    return picture


def _set_up_unit(qtbot, unit: QWidget, *, model: bool = True, picture: bool = True) -> None:
    """Enable ``unit`` with canny, and the ControlNet and the picture unless told not to."""
    combo = unit.findChild(QComboBox, "controlModel")
    qtbot.waitUntil(lambda: combo.findData(NAME) >= 0)
    if model:
        combo.setCurrentIndex(combo.findData(NAME))
    preprocessors = unit.findChild(QComboBox, "controlPreprocessor")
    preprocessors.setCurrentIndex(preprocessors.findData("canny"))
    if picture:
        unit.set_picture(_shapes(), "shapes.png")
    unit.findChild(QCheckBox, "controlEnabled").setChecked(True)


def _generate(qtbot, window: MainWindow) -> Path:
    with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS) as shown:
        assert window.generate()
    return shown.args[0].path


def _parameters(path: Path) -> str:
    with Image.open(path) as image:
        return image.text["parameters"]


def test_an_enabled_unit_steers_the_picture_and_is_named_in_its_infotext(qtbot, window) -> None:
    plain = _generate(qtbot, window)
    _set_up_unit(qtbot, _unit(window))

    controlled = _generate(qtbot, window)

    with Image.open(plain) as first, Image.open(controlled) as second:
        assert max_pixel_difference(first, second) > 10
    assert "ControlNet" not in _parameters(plain)
    assert f'ControlNet 0: "Module: canny, Model: {NAME}, Weight: 1,' in _parameters(controlled)
    assert parse_infotext(_parameters(controlled)).params["ControlNet 0"] == (
        f"Module: canny, Model: {NAME}, Weight: 1, Resize Mode: Crop and Resize, "
        "Threshold A: 100, Threshold B: 200, Guidance Start: 0, Guidance End: 1, "
        "Pixel Perfect: False, Control Mode: Balanced"
    )


def test_a_unit_at_weight_zero_leaves_the_picture_as_without_it(qtbot, window) -> None:
    plain = _generate(qtbot, window)
    unit = _unit(window)
    _set_up_unit(qtbot, unit)
    unit.findChild(QDoubleSpinBox, "controlWeight").setValue(0.0)

    weightless = _generate(qtbot, window)

    with Image.open(plain) as first, Image.open(weightless) as second:
        assert max_pixel_difference(first, second) <= 2
    assert "Weight: 0," in _parameters(weightless)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"picture": False}, "ControlNet unit 0 is enabled but has no control image"),
        ({"model": False}, "ControlNet unit 0 is enabled but has no ControlNet model"),
    ],
)
def test_an_enabled_unit_that_cannot_run_refuses_generate_with_a_message(
    qtbot, window, missing, message
) -> None:
    _set_up_unit(qtbot, _unit(window), **missing)

    assert not window.generate()

    assert window.statusBar().currentMessage().startswith(message)
    assert window.queue.model.jobs() == []
