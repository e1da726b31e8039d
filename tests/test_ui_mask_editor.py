"""Painting the inpainting mask on the real canvas: pointer, keys, toolbar, files, zoom."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QImage,
    QInputDevice,
    QPointingDevice,
    QTabletEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMainWindow,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.mask.mask_editor import MaskEditor

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

WIDTH, HEIGHT = 200, 150
LEFT = Qt.MouseButton.LeftButton


@dataclass
class Studio:
    window: QMainWindow
    canvas: CanvasView
    editor: MaskEditor
    prompt: QLineEdit

    def button(self, name: str) -> QToolButton:
        button = self.window.findChild(QToolButton, name)
        assert button is not None, name
        return button

    def click(self, qtbot, name: str) -> None:
        qtbot.mouseClick(self.button(name), LEFT)

    def at(self, x: float, y: float) -> QPoint:
        """The viewport point showing image pixel (x, y)."""
        return self.canvas.mapFromScene(QPointF(x, y))

    def drag(self, qtbot, points, button=LEFT) -> None:
        viewport = self.canvas.viewport()
        first, *rest = [self.at(*point) for point in points]
        qtbot.mousePress(viewport, button, pos=first)
        for point in rest:
            qtbot.mouseMove(viewport, point)
        qtbot.mouseRelease(viewport, button, pos=rest[-1] if rest else first)

    def pixels(self) -> np.ndarray:
        mask = self.editor.mask()
        return np.zeros((HEIGHT, WIDTH), np.uint8) if mask is None else np.asarray(mask)


def _picture(width: int = WIDTH, height: int = HEIGHT) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB888)
    image.fill(QColor(128, 128, 128))
    return image


@pytest.fixture
def studio(qtbot) -> Studio:
    window = QMainWindow()
    central = QWidget()
    layout = QVBoxLayout(central)
    prompt = QLineEdit()
    canvas = CanvasView()
    layout.addWidget(prompt)
    layout.addWidget(canvas, 1)
    window.setCentralWidget(central)
    editor = MaskEditor(canvas)
    window.addToolBar(editor.toolbar)
    qtbot.addWidget(window)
    window.resize(1400, 500)
    window.show()
    qtbot.waitExposed(window)
    canvas.show_image(_picture())
    editor.set_image_size(QSize(WIDTH, HEIGHT))
    editor.tool.set_hardness(1.0)
    return Studio(window, canvas, editor, prompt)


@pytest.fixture
def painting(studio, qtbot) -> Studio:
    studio.click(qtbot, "maskPaintButton")
    assert studio.editor.is_painting()
    return studio


def _scene_at(studio: Studio, point: QPoint) -> QPointF:
    return studio.canvas.mapToScene(point)


def _tablet(studio: Studio, kind, point: QPoint, pressure: float, tip=None) -> None:
    pen = QPointingDevice(
        "test pen",
        1,
        QInputDevice.DeviceType.Stylus,
        tip or QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )
    viewport = studio.canvas.viewport()
    buttons = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else LEFT
    event = QTabletEvent(
        kind,
        pen,
        QPointF(point),
        QPointF(viewport.mapToGlobal(point)),
        pressure,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        LEFT,
        buttons,
    )
    QApplication.sendEvent(viewport, event)


def _write_png(path, image: Image.Image) -> str:
    image.save(path)
    return str(path)


# -- painting with the pointer -----------------------------------------------------------


def test_a_drag_paints_along_the_stroke_and_nowhere_else(painting, qtbot) -> None:
    painting.drag(qtbot, [(40, 75), (100, 75), (160, 75)])  # a 48 px brush
    pixels = painting.pixels()
    assert (pixels[60:90, 40:160] == 255).all()
    assert pixels[10, 100] == 0 and pixels[140, 100] == 0
    assert pixels[75, 5] == 0 and pixels[75, 195] == 0


def test_the_eraser_clears_what_was_painted(painting, qtbot) -> None:
    painting.drag(qtbot, [(20, 75), (180, 75)])
    painting.click(qtbot, "maskEraserButton")
    painting.drag(qtbot, [(100, 20), (100, 130)])
    pixels = painting.pixels()
    assert (pixels[60:90, 95:105] == 0).all()
    assert (pixels[75, 20:70] == 255).all()  # the 48 px eraser reaches x = 76
    painting.click(qtbot, "maskBrushButton")
    painting.drag(qtbot, [(100, 20), (100, 130)])
    assert painting.pixels()[30, 100] == 255


def test_a_stroke_reports_one_mask_change(painting, qtbot) -> None:
    changes = []
    painting.editor.maskChanged.connect(lambda: changes.append(1))
    painting.drag(qtbot, [(20, 20), (60, 40), (100, 60), (140, 80)])
    assert changes == [1]


def test_pen_pressure_scales_the_brush(painting, qtbot) -> None:
    painting.editor.tool.set_size(40)
    _tablet(painting, QTabletEvent.Type.TabletPress, painting.at(50, 75), 0.25)
    _tablet(painting, QTabletEvent.Type.TabletMove, painting.at(150, 75), 0.25)
    _tablet(painting, QTabletEvent.Type.TabletRelease, painting.at(150, 75), 0.25)
    pixels = painting.pixels()
    assert (pixels[75, 50:150] == 255).all()
    assert pixels[75 - 8, 100] == 0  # a 10 px wide line, not 40 px
    painting.drag(qtbot, [(50, 120), (150, 120)])  # the mouse presses fully
    assert painting.pixels()[120 - 15, 100] == 255


def test_the_pens_eraser_end_erases(painting, qtbot) -> None:
    painting.click(qtbot, "maskFillButton")
    eraser = QPointingDevice.PointerType.Eraser
    for kind, x in (
        (QTabletEvent.Type.TabletPress, 50),
        (QTabletEvent.Type.TabletMove, 150),
        (QTabletEvent.Type.TabletRelease, 150),
    ):
        _tablet(painting, kind, painting.at(x, 75), 1.0, eraser)
    pixels = painting.pixels()
    assert (pixels[75, 50:150] == 0).all() and pixels[10, 100] == 255


def test_a_stretched_picture_is_painted_in_init_image_pixels(painting, qtbot) -> None:
    # e.g. the init image shown over a larger result to compare them
    painting.canvas.show_image(_picture(), QSize(WIDTH * 2, HEIGHT * 2))
    painting.editor.tool.set_size(10)
    painting.drag(qtbot, [(200, 150)])
    pixels = painting.pixels()
    assert pixels.shape == (HEIGHT, WIDTH)
    assert pixels[75, 100] == 255 and pixels[75, 108] == 0
    assert painting.editor.overlay.sceneBoundingRect() == QRectF(0, 0, WIDTH * 2, HEIGHT * 2)


def test_the_brush_outline_follows_the_pointer_at_the_brush_size(painting, qtbot) -> None:
    painting.editor.tool.set_size(30)
    qtbot.mouseMove(painting.canvas.viewport(), painting.at(60, 40))
    outline = painting.editor.brush_cursor
    assert outline.isVisible()
    assert (outline.scenePos() - QPointF(60, 40)).manhattanLength() < 1.5
    assert outline.boundingRect().width() == pytest.approx(30, abs=5)
    painting.click(qtbot, "maskPaintButton")
    assert not outline.isVisible()


def test_the_pointer_shows_whether_a_drag_paints_or_pans(studio, qtbot) -> None:
    viewport = studio.canvas.viewport()
    assert viewport.cursor().shape() == Qt.CursorShape.OpenHandCursor  # the canvas's own
    studio.click(qtbot, "maskPaintButton")
    assert viewport.cursor().shape() == Qt.CursorShape.CrossCursor
    studio.canvas.setFocus()
    qtbot.keyPress(studio.canvas, Qt.Key.Key_Space)
    assert viewport.cursor().shape() == Qt.CursorShape.OpenHandCursor
    qtbot.keyRelease(studio.canvas, Qt.Key.Key_Space)
    assert viewport.cursor().shape() == Qt.CursorShape.CrossCursor
    studio.click(qtbot, "maskPaintButton")
    assert viewport.cursor().shape() == Qt.CursorShape.OpenHandCursor


def test_with_paint_off_a_drag_pans_and_paints_nothing(studio, qtbot) -> None:
    studio.canvas.zoom_by(8)
    centre = studio.canvas.viewport().rect().center()
    before = _scene_at(studio, centre)
    viewport = studio.canvas.viewport()
    qtbot.mousePress(viewport, LEFT, pos=centre)
    qtbot.mouseMove(viewport, centre + QPoint(60, 40))
    qtbot.mouseRelease(viewport, LEFT, pos=centre + QPoint(60, 40))
    assert (_scene_at(studio, centre) - before).manhattanLength() > 10
    assert studio.editor.mask() is None


def test_middle_drag_pans_while_painting(painting, qtbot) -> None:
    painting.canvas.zoom_by(8)
    centre = painting.canvas.viewport().rect().center()
    before = _scene_at(painting, centre)
    viewport = painting.canvas.viewport()
    middle = Qt.MouseButton.MiddleButton
    qtbot.mousePress(viewport, middle, pos=centre)
    qtbot.mouseMove(viewport, centre + QPoint(60, 40))
    qtbot.mouseRelease(viewport, middle, pos=centre + QPoint(60, 40))
    assert _scene_at(painting, centre) - before == QPointF(-7.5, -5)
    assert painting.editor.mask() is None


def test_space_drag_pans_while_painting(painting, qtbot) -> None:
    painting.canvas.zoom_by(8)
    painting.canvas.setFocus()
    centre = painting.canvas.viewport().rect().center()
    before = _scene_at(painting, centre)
    viewport = painting.canvas.viewport()
    qtbot.keyPress(painting.canvas, Qt.Key.Key_Space)
    qtbot.mousePress(viewport, LEFT, pos=centre)
    qtbot.mouseMove(viewport, centre + QPoint(60, 40))
    qtbot.mouseRelease(viewport, LEFT, pos=centre + QPoint(60, 40))
    qtbot.keyRelease(painting.canvas, Qt.Key.Key_Space)
    assert _scene_at(painting, centre) - before == QPointF(-7.5, -5)
    assert painting.editor.mask() is None
    painting.drag(qtbot, [(20, 75), (30, 75)])  # Space is up: left-drag paints again
    assert painting.editor.mask() is not None


# -- undo and redo ---------------------------------------------------------------------------


def _two_strokes(studio: Studio, qtbot) -> tuple[QImage, QImage]:
    studio.drag(qtbot, [(20, 20), (180, 130)])
    first = studio.editor.layer.image()
    studio.editor.tool.set_hardness(0.5)
    studio.drag(qtbot, [(20, 130), (180, 20)])
    return first, studio.editor.layer.image()


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo_a_stroke(painting, qtbot) -> None:
    first, second = _two_strokes(painting, qtbot)
    painting.window.activateWindow()
    qtbot.waitActive(painting.window)
    painting.canvas.setFocus()
    control = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(painting.canvas, Qt.Key.Key_Z, control)
    assert painting.editor.layer.image() == first
    qtbot.keyClick(painting.canvas, Qt.Key.Key_Z, control)
    assert painting.editor.mask() is None
    qtbot.keyClick(painting.canvas, Qt.Key.Key_Z, control | Qt.KeyboardModifier.ShiftModifier)
    assert painting.editor.layer.image() == first
    qtbot.keyClick(painting.canvas, Qt.Key.Key_Z, control | Qt.KeyboardModifier.ShiftModifier)
    assert painting.editor.layer.image() == second


def test_ctrl_z_in_a_text_field_leaves_the_mask_alone(painting, qtbot) -> None:
    painting.drag(qtbot, [(20, 20), (180, 130)])
    painting.window.activateWindow()
    qtbot.waitActive(painting.window)
    qtbot.keyClicks(painting.prompt, "harbour")
    qtbot.keyClick(painting.prompt, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert painting.editor.mask() is not None
    assert painting.prompt.text() == ""  # the field undid its own typing


def test_the_undo_and_redo_buttons_restore_the_exact_mask(painting, qtbot) -> None:
    first, second = _two_strokes(painting, qtbot)
    painting.click(qtbot, "maskUndoButton")
    assert painting.editor.layer.image() == first
    painting.click(qtbot, "maskRedoButton")
    assert painting.editor.layer.image() == second
    assert not painting.button("maskRedoButton").isEnabled()


# -- whole-mask buttons --------------------------------------------------------------------


def test_fill_invert_and_clear_buttons(painting, qtbot) -> None:
    painting.drag(qtbot, [(100, 75)])
    painting.click(qtbot, "maskInvertButton")
    pixels = painting.pixels()
    assert pixels[75, 100] == 0 and pixels[0, 0] == 255 and pixels[149, 199] == 255
    painting.click(qtbot, "maskClearButton")
    assert painting.editor.mask() is None
    painting.click(qtbot, "maskFillButton")
    assert (painting.pixels() == 255).all()


def test_set_mask_is_undoable(studio, qtbot) -> None:
    studio.editor.set_mask(Image.new("L", (WIDTH, HEIGHT), 255))
    assert studio.editor.mask().getextrema() == (255, 255)
    studio.click(qtbot, "maskUndoButton")
    assert studio.editor.mask() is None


# -- brush settings ----------------------------------------------------------------------


def test_brackets_shrink_and_grow_the_brush(painting, qtbot) -> None:
    painting.canvas.setFocus()
    spin = painting.window.findChild(QSpinBox, "maskSizeSpin")
    qtbot.keyClick(painting.canvas, "]")
    assert painting.editor.tool.size() == 60 and spin.value() == 60
    qtbot.keyClick(painting.canvas, "[")
    assert painting.editor.tool.size() == 48 and spin.value() == 48
    spin.setValue(2)
    qtbot.keyClick(painting.canvas, "[")
    qtbot.keyClick(painting.canvas, "[")
    assert painting.editor.tool.size() == 1
    qtbot.keyClick(painting.canvas, "]")
    assert painting.editor.tool.size() == 2


def test_the_size_spin_sets_the_width_of_a_stroke(painting, qtbot) -> None:
    painting.window.findChild(QSpinBox, "maskSizeSpin").setValue(10)
    painting.drag(qtbot, [(20, 75), (180, 75)])
    pixels = painting.pixels()
    assert pixels[75 - 4, 100] == 255 and pixels[75 - 7, 100] == 0


def test_the_hardness_spin_softens_the_edge(painting, qtbot) -> None:
    painting.window.findChild(QSpinBox, "maskHardnessSpin").setValue(20)
    assert painting.editor.tool.hardness() == pytest.approx(0.2)
    painting.drag(qtbot, [(100, 75)])
    edge = painting.pixels()[75, 76:100]
    assert 0 < edge[4] < 200 and edge[-1] == 255


# -- files -------------------------------------------------------------------------------


def test_a_mask_file_of_another_size_is_stretched_to_fit(studio, tmp_path) -> None:
    small = Image.new("L", (WIDTH // 2, HEIGHT // 2), 0)
    small.paste(255, (0, 0, WIDTH // 4, HEIGHT // 2))  # the left half
    studio.editor.load_from(_write_png(tmp_path / "small.png", small))
    pixels = studio.pixels()
    assert pixels.shape == (HEIGHT, WIDTH)
    assert (pixels[:, : WIDTH // 2 - 4] == 255).all() and (pixels[:, WIDTH // 2 + 4 :] == 0).all()


def test_save_then_load_round_trips_the_mask(painting, qtbot, tmp_path) -> None:
    painting.editor.tool.set_hardness(0.4)
    painting.drag(qtbot, [(20, 20), (180, 130)])
    saved = painting.editor.mask()
    painting.editor.save_to(tmp_path / "mask.png")
    painting.click(qtbot, "maskClearButton")
    painting.editor.load_from(tmp_path / "mask.png")
    assert (np.asarray(painting.editor.mask()) == np.asarray(saved)).all()


def test_an_unreadable_file_says_so_and_keeps_the_mask(painting, qtbot, tmp_path) -> None:
    painting.drag(qtbot, [(20, 20), (180, 130)])
    before = painting.editor.layer.image()
    (tmp_path / "notes.png").write_text("not a picture")
    with qtbot.waitSignal(painting.editor.failed) as failed:
        painting.editor.load_from(tmp_path / "notes.png")
    assert failed.args == ["notes.png is not an image sdstudio can read."]
    assert painting.editor.layer.image() == before


def test_an_all_black_file_says_so_and_keeps_the_mask(painting, qtbot, tmp_path) -> None:
    painting.drag(qtbot, [(20, 20), (180, 130)])
    before = painting.editor.layer.image()
    black = _write_png(tmp_path / "black.png", Image.new("RGB", (WIDTH, HEIGHT)))
    with qtbot.waitSignal(painting.editor.failed) as failed:
        painting.editor.load_from(black)
    assert failed.args[0].startswith("black.png is all black: nothing would be repainted.")
    assert painting.editor.layer.image() == before


def test_saving_an_empty_mask_says_why_not(studio, qtbot, tmp_path) -> None:
    with qtbot.waitSignal(studio.editor.failed) as failed:
        studio.editor.save_to(tmp_path / "mask.png")
    assert "empty" in failed.args[0]
    assert not (tmp_path / "mask.png").exists()


# -- the overlay -------------------------------------------------------------------------


def _shown(studio: Studio, x: float, y: float) -> QColor:
    grab = studio.canvas.viewport().grab().toImage()
    return grab.pixelColor(studio.at(x, y))


def test_zoom_and_pan_keep_the_mask_on_its_pixels(painting, qtbot) -> None:
    painting.editor.tool.set_size(20)
    painting.drag(qtbot, [(150, 40)])
    overlay = painting.editor.overlay
    assert overlay.sceneBoundingRect() == QRectF(0, 0, WIDTH, HEIGHT)
    painting.canvas.zoom_by(3, painting.at(120, 60))
    bar = painting.canvas.horizontalScrollBar()
    bar.setValue(bar.value() + 30)
    assert overlay.sceneBoundingRect() == QRectF(0, 0, WIDTH, HEIGHT)
    painted, kept = _shown(painting, 150, 40), _shown(painting, 120, 100)
    assert painted.red() > painted.green() + 80  # tinted red
    assert kept == QColor(128, 128, 128)


def test_show_mask_hides_and_shows_the_overlay(painting, qtbot) -> None:
    painting.drag(qtbot, [(100, 75)])
    assert _shown(painting, 100, 75).red() > 150
    painting.click(qtbot, "maskShowButton")
    assert _shown(painting, 100, 75) == QColor(128, 128, 128)
    assert painting.editor.mask() is not None  # hidden, not gone


def test_the_overlay_colour_can_change(painting, qtbot) -> None:
    painting.drag(qtbot, [(100, 75)])
    painting.editor.tool.set_colour(QColor(0, 0, 255, 128))
    shown = _shown(painting, 100, 75)
    assert shown.blue() > shown.red() + 80


# -- the init image ----------------------------------------------------------------------


def test_a_new_init_image_of_the_same_size_keeps_the_mask(painting, qtbot) -> None:
    painting.drag(qtbot, [(20, 75), (180, 75)])
    before = painting.editor.layer.image()
    painting.canvas.show_image(_picture())
    painting.editor.set_image_size(QSize(WIDTH, HEIGHT))
    assert painting.editor.layer.image() == before


def test_an_init_image_of_another_size_starts_a_blank_mask(painting, qtbot) -> None:
    painting.drag(qtbot, [(20, 75), (180, 75)])
    painting.canvas.show_image(_picture(320, 240))
    with qtbot.waitSignal(painting.editor.maskChanged):
        painting.editor.set_image_size(QSize(320, 240))
    assert painting.editor.mask() is None
    assert painting.editor.overlay.sceneBoundingRect() == QRectF(0, 0, 320, 240)
    assert not painting.button("maskUndoButton").isEnabled()
    painting.drag(qtbot, [(300, 220)])
    assert painting.editor.mask().size == (320, 240)


def test_without_an_init_image_there_is_no_mask_and_no_painting(painting, qtbot) -> None:
    painting.drag(qtbot, [(20, 75), (180, 75)])
    painting.canvas.clear_image()
    painting.editor.set_image_size(QSize())
    assert painting.editor.mask() is None
    assert not painting.editor.overlay.isVisible()
    assert not painting.editor.is_painting()
    assert not painting.button("maskPaintButton").isEnabled()


def test_the_toolbar_has_its_named_controls(studio) -> None:
    assert studio.editor.toolbar.objectName() == "maskToolbar"
    for name in (
        "maskPaintButton",
        "maskBrushButton",
        "maskEraserButton",
        "maskColourButton",
        "maskFillButton",
        "maskClearButton",
        "maskInvertButton",
        "maskUndoButton",
        "maskRedoButton",
        "maskLoadButton",
        "maskSaveButton",
        "maskShowButton",
    ):
        assert studio.button(name).isVisible(), name
    for name in ("maskSizeSpin", "maskHardnessSpin"):
        assert studio.window.findChild(QSpinBox, name).isVisible(), name


def test_closing_the_window_tears_down_quietly(qtbot) -> None:
    window = QMainWindow()
    canvas = CanvasView()
    window.setCentralWidget(canvas)
    editor = MaskEditor(canvas)
    window.addToolBar(editor.toolbar)
    canvas.show_image(_picture())
    editor.set_image_size(QSize(WIDTH, HEIGHT))
    editor.layer.fill()  # something to undo, so the undo stack signals as it goes
    with qtbot.waitSignal(window.destroyed):
        window.deleteLater()
