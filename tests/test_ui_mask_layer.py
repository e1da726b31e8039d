"""The mask layer: strokes, whole-mask edits, undo, mask files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QImage

from sdstudio.ui.mask.mask_layer import MaskFileError, MaskLayer
from sdstudio.ui.mask.mask_tool import MaskMode


@pytest.fixture
def layer(qapp) -> MaskLayer:
    mask = MaskLayer()
    mask.reset(QSize(200, 100))
    return mask


def _pixels(layer: MaskLayer) -> np.ndarray:
    return np.asarray(layer.to_pil()) if not layer.is_empty() else np.zeros((100, 200), np.uint8)


def _stroke(layer: MaskLayer, points, mode=MaskMode.BRUSH, diameter=10, hardness=1.0, pressure=1.0):
    first, *rest = points
    layer.begin_stroke(QPointF(*first), pressure, mode, diameter=diameter, hardness=hardness)
    for point in rest:
        layer.continue_stroke(QPointF(*point), pressure)
    layer.end_stroke()


def _gray_png(path, size, value) -> None:
    Image.new("L", size, value).save(path)


def test_a_new_mask_is_blank_and_reports_no_image(layer) -> None:
    assert layer.size() == QSize(200, 100)
    assert layer.is_empty()
    assert layer.to_pil() is None


def test_a_fast_stroke_paints_the_whole_way_without_gaps(layer) -> None:
    _stroke(layer, [(10, 50), (190, 50)])  # one jump, as a fast mouse reports it
    pixels = _pixels(layer)
    assert (pixels[50, 10:190] == 255).all()
    assert (pixels[:40, :] == 0).all() and (pixels[60:, :] == 0).all()


def test_the_brush_is_round_and_its_size_is_the_diameter(layer) -> None:
    _stroke(layer, [(100, 50)], diameter=20)
    pixels = _pixels(layer)
    assert pixels[50, 91] == 255 and pixels[50, 108] == 255
    assert pixels[50, 88] == 0 and pixels[50, 111] == 0
    assert pixels[42, 92] == 0  # a square's corner would be painted


def test_the_eraser_clears_what_the_brush_painted(layer) -> None:
    _stroke(layer, [(10, 50), (190, 50)], diameter=20)
    _stroke(layer, [(100, 30), (100, 70)], mode=MaskMode.ERASER, diameter=10)
    pixels = _pixels(layer)
    assert (pixels[45:55, 97:103] == 0).all()
    assert (pixels[45:55, 20:80] == 255).all()


def test_hardness_softens_the_edge(layer) -> None:
    _stroke(layer, [(50, 50)], diameter=40, hardness=1.0)
    assert set(np.unique(_pixels(layer))) == {0, 255}
    layer.clear()
    _stroke(layer, [(50, 50)], diameter=40, hardness=0.3)
    edge = _pixels(layer)[50, 30:50]
    assert 0 < edge[3] < edge[8] < 255 and edge[-1] == 255


def test_pressure_scales_the_brush(layer) -> None:
    _stroke(layer, [(50, 50)], diameter=40, pressure=0.25)
    pixels = _pixels(layer)
    assert pixels[50, 50] == 255 and pixels[50, 56] == 0


def test_scribbling_over_a_soft_stroke_keeps_its_edge_soft(layer) -> None:
    _stroke(layer, [(40, 50), (70, 50)], diameter=40, hardness=0.2)
    one_pass = _pixels(layer)[30:50, 55].astype(int)
    layer.clear()
    _stroke(layer, [(40, 50), (70, 50)] * 10, diameter=40, hardness=0.2)
    scribbled = _pixels(layer)[30:50, 55].astype(int)
    assert 0 < scribbled[4] < 128  # dabs are combined by max, not stacked up
    assert (scribbled <= one_pass + 12).all()


def test_one_stroke_is_one_undo_step_and_redo_restores_it_exactly(layer) -> None:
    _stroke(layer, [(20, 20), (60, 40)])
    first = layer.image()
    _stroke(layer, [(120, 80), (180, 20)], diameter=25, hardness=0.5)
    second = layer.image()
    assert layer.undo_stack.count() == 2
    layer.undo()
    assert layer.image() == first
    layer.undo()
    assert layer.is_empty()
    layer.redo()
    layer.redo()
    assert layer.image() == second


def test_a_stroke_reports_one_change_when_it_ends(layer, qtbot) -> None:
    changes = []
    layer.changed.connect(lambda: changes.append(1))
    layer.begin_stroke(QPointF(10, 10), 1.0, MaskMode.BRUSH)
    for x in range(12, 100, 4):
        layer.continue_stroke(QPointF(x, 10), 1.0)
    assert changes == []
    layer.end_stroke()
    assert changes == [1]


def test_a_stroke_that_changes_nothing_adds_no_undo_step(layer) -> None:
    _stroke(layer, [(20, 20), (60, 40)], mode=MaskMode.ERASER)
    assert layer.undo_stack.count() == 0


def test_fill_invert_and_clear_are_undoable(layer) -> None:
    _stroke(layer, [(100, 50)], diameter=20)
    painted = layer.image()
    layer.invert()
    pixels = _pixels(layer)
    assert pixels[50, 100] == 0 and pixels[0, 0] == 255
    layer.fill()
    assert (_pixels(layer) == 255).all()
    layer.clear()
    assert layer.is_empty()
    for _ in range(3):
        layer.undo()
    assert layer.image() == painted


def test_reset_starts_blank_without_history(layer) -> None:
    layer.fill()
    layer.reset(QSize(64, 32))
    assert layer.size() == QSize(64, 32) and layer.is_empty()
    assert not layer.undo_stack.canUndo()


def test_a_mask_of_another_size_is_stretched_to_fit(layer) -> None:
    half = QImage(100, 50, QImage.Format.Format_Grayscale8)
    half.fill(0)
    for y in range(50):
        for x in range(50):
            half.setPixelColor(x, y, QColor("white"))  # the left half
    layer.set_image(half)
    pixels = _pixels(layer)
    assert layer.size() == QSize(200, 100)
    assert (pixels[:, :95] == 255).all() and (pixels[:, 105:] == 0).all()


def test_colour_masks_become_gray_and_transparency_counts_as_keep(layer) -> None:
    rgba = QImage(200, 100, QImage.Format.Format_RGBA8888)
    rgba.fill(QColor(255, 255, 255, 0))  # white but transparent
    for x in range(100):
        rgba.setPixelColor(x, 10, QColor(255, 255, 255, 255))
    layer.set_image(rgba)
    pixels = _pixels(layer)
    assert (pixels[10, :100] == 255).all()
    assert (pixels[50, :] == 0).all()


def test_to_pil_gives_an_l_image_of_the_mask(layer) -> None:
    layer.fill()
    image = layer.to_pil()
    assert image.mode == "L" and image.size == (200, 100)
    assert image.getextrema() == (255, 255)


def test_save_then_load_gives_the_same_mask(layer, tmp_path) -> None:
    _stroke(layer, [(20, 20), (150, 70)], diameter=30, hardness=0.4)
    saved = layer.image()
    layer.save(tmp_path / "mask.png")
    with Image.open(tmp_path / "mask.png") as png:
        assert png.mode == "L" and png.size == (200, 100)
    layer.clear()
    layer.load(tmp_path / "mask.png")
    assert layer.image() == saved


def test_a_file_that_is_not_an_image_is_refused_and_the_mask_stays(layer, tmp_path) -> None:
    _stroke(layer, [(20, 20), (150, 70)])
    before = layer.image()
    steps = layer.undo_stack.count()
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(MaskFileError, match=r"notes\.png is not an image sdstudio can read"):
        layer.load(tmp_path / "notes.png")
    assert layer.image() == before and layer.undo_stack.count() == steps


def test_an_all_black_file_is_refused_and_the_mask_stays(layer, tmp_path) -> None:
    _stroke(layer, [(20, 20), (150, 70)])
    before = layer.image()
    _gray_png(tmp_path / "black.png", (200, 100), 0)
    with pytest.raises(MaskFileError, match=r"black\.png is all black: nothing would be repainted"):
        layer.load(tmp_path / "black.png")
    assert layer.image() == before


def test_a_missing_file_is_refused(layer, tmp_path) -> None:
    with pytest.raises(MaskFileError, match="is not an image sdstudio can read"):
        layer.load(tmp_path / "gone.png")
