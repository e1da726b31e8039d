"""Inpainting in the window: paint a mask over the init image, Generate, and only the masked
part changes; outpainting extends the canvas; a bad mask file is a message."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from tests.ui_support import WAIT_MS, make_window, paint_mask

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_window(qtbot, demo_model, tmp_path / "out")
    win.controls.scheduler_combo.setCurrentText("Euler")
    win.controls.preview_combo.setCurrentIndex(win.controls.preview_combo.findData("none"))
    return win


def _noise(size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(1)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))


def test_a_painted_mask_repaints_only_there(window, qtbot) -> None:
    init = _noise((64, 64))
    window.init_images.set_image(init, "noise.png")
    window.controls.inpaint_options.blur_spin.setValue(0)
    window.inpainting.editor.size_spin.setValue(12)
    paint_mask(window, qtbot, [(10, 32), (20, 32), (30, 32)])
    mask = window.inpainting.mask()
    assert mask is not None and np.asarray(mask)[32, 20] == 255
    window.controls.strength_row.spin.setValue(0.9)
    with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS) as shown:
        assert window.generate()
    result = shown.args[0]
    with Image.open(result.path) as saved:
        pixels = np.asarray(saved.convert("RGB"))
    kept = np.asarray(mask) == 0
    assert np.array_equal(pixels[kept], np.asarray(init)[kept])
    assert np.abs(pixels[~kept].astype(int) - np.asarray(init)[~kept]).mean() > 5
    assert "Mask blur: 0" in result.path.read_bytes().decode("latin-1")


def test_the_mask_is_hidden_over_the_result_and_back_over_the_init_image(window, qtbot):
    window.init_images.set_image(_noise((64, 64)), "noise.png")
    paint_mask(window, qtbot, [(30, 30), (34, 34)])
    show = window.inpainting.editor.show_action
    assert show.isChecked()
    with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS):
        assert window.generate()
    assert not show.isChecked()
    qtbot.waitUntil(lambda: window.window_actions.compare.isEnabled(), timeout=WAIT_MS)
    window.window_actions.compare.setChecked(True)
    assert show.isChecked()


def test_outpainting_extends_the_init_image_and_masks_the_new_part(window, qtbot) -> None:
    window.init_images.set_image(_noise((64, 64)), "noise.png")
    options = window.controls.inpaint_options
    options.outpaint_spin.setValue(32)
    qtbot.mouseClick(options.outpaint_buttons["right"], Qt.MouseButton.LeftButton)
    image = window.init_images.image()
    assert image.size == (96, 64)
    mask = np.asarray(window.inpainting.mask())
    assert mask[:, 64:].min() == 255 and mask[:, :64].max() == 0
    size_row = window.controls.size_row
    assert (size_row.width_spin.value(), size_row.height_spin.value()) == (96, 64)
    assert "noise.png (extended)" in window.controls.strength_row.init_label.text()


def test_outpainting_with_noise_fills_the_new_part_with_gray_noise(window, qtbot) -> None:
    window.init_images.set_image(Image.new("RGB", (64, 64), (200, 40, 40)), "red.png")
    options = window.controls.inpaint_options
    options.outpaint_fill_combo.setCurrentIndex(options.outpaint_fill_combo.findData("noise"))
    options.outpaint_spin.setValue(16)
    qtbot.mouseClick(options.outpaint_buttons["top"], Qt.MouseButton.LeftButton)
    pixels = np.asarray(window.init_images.image())
    new_part = pixels[:16].astype(int)
    assert pixels.shape == (80, 64, 3) and new_part.std() > 30
    assert (new_part[..., 0] == new_part[..., 1]).all()  # gray, not the red edge


def test_outpainting_without_an_init_image_is_not_offered(window) -> None:
    assert not window.controls.inpaint_options.outpaint_buttons["left"].isEnabled()


def test_an_all_black_mask_file_is_a_message_and_keeps_the_mask(window, qtbot, tmp_path):
    window.init_images.set_image(_noise((64, 64)), "noise.png")
    paint_mask(window, qtbot, [(30, 30), (34, 34)])
    before = np.asarray(window.inpainting.mask())
    black = tmp_path / "black.png"
    Image.new("L", (64, 64), 0).save(black)
    window.inpainting.editor.load_from(black)
    assert "all black" in window.statusBar().currentMessage()
    assert np.array_equal(np.asarray(window.inpainting.mask()), before)


def test_the_inpainting_options_reach_the_request(window) -> None:
    options = window.controls.inpaint_options
    options.area_combo.setCurrentIndex(options.area_combo.findData("masked"))
    options.padding_spin.setValue(48)
    options.content_combo.setCurrentIndex(options.content_combo.findData("fill"))
    request = window.controls.build_request()
    assert (request.inpaint_area, request.mask_padding, request.masked_content) == (
        "masked",
        48,
        "fill",
    )
    assert options.padding_spin.isEnabled()
    options.area_combo.setCurrentIndex(options.area_combo.findData("whole"))
    assert not options.padding_spin.isEnabled()


def test_the_demo_inpainting_model_is_offered(window) -> None:
    combo = window.controls.model_combo
    assert combo.itemText(combo.findData("demo-inpainting")) == "Demo inpainting model"
