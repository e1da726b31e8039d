"""Inpainting with a refiner from the window: an SDXL model, the Refiner row filled in, a mask
painted over the init image; Generate repaints the masked part only and saves the refiner in
the infotext."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.models.refiner_cache import REFINERS
from tests.helpers import noise_image
from tests.ui_support import WAIT_MS, make_window, paint_mask

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_a_painted_mask_with_a_refiner_repaints_only_there(
    qtbot, sdxl_model, sdxl_refiner, tmp_path
) -> None:
    window = make_window(qtbot, sdxl_model, tmp_path / "out", steps=5)
    window.controls.preview_combo.setCurrentIndex(window.controls.preview_combo.findData("none"))
    window.controls.refiner_row.edit.setText(sdxl_refiner.source)
    window.controls.refiner_row.switch_spin.setValue(0.6)
    init = noise_image(64, 64, seed=1)
    window.init_images.set_image(init, "noise.png")
    window.controls.inpaint_options.blur_spin.setValue(0)
    window.inpainting.editor.size_spin.setValue(12)
    paint_mask(window, qtbot, [(10, 32), (20, 32), (30, 32)])
    mask = np.asarray(window.inpainting.mask())
    kept, painted = mask == 0, mask == 255  # the brush's soft edge is neither
    window.controls.strength_row.spin.setValue(0.9)

    try:
        with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS) as shown:
            assert window.generate()
    finally:
        REFINERS.release()

    result = shown.args[0]
    with Image.open(result.path) as saved:
        pixels = np.asarray(saved.convert("RGB")).astype(int)
        parameters = saved.info["parameters"]
    assert np.array_equal(pixels[kept], np.asarray(init)[kept])
    assert np.abs(pixels[painted] - np.asarray(init)[painted]).mean() > 5
    assert f"Refiner: {sdxl_refiner.source}, Refiner switch at: 0.6" in parameters
