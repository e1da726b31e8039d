"""The canvas: zoom around the cursor, fit / 100 %, checkerboard, drops."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QWheelEvent

from sdstudio.ui.canvas import CanvasView


@pytest.fixture
def canvas(qtbot) -> CanvasView:
    view = CanvasView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def _image(width: int, height: int, color: QColor) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB888)
    image.fill(color)
    return image


def _wheel(view: CanvasView, pos: QPoint, delta: int) -> None:
    event = QWheelEvent(
        QPointF(pos),
        QPointF(view.viewport().mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(event)


def test_large_images_fit_small_ones_stay_at_100_percent(canvas) -> None:
    canvas.show_image(_image(800, 600, QColor("red")))
    assert canvas.zoom() == pytest.approx(0.5, abs=0.02)
    canvas.actual_size()
    assert canvas.zoom() == 1.0
    canvas.fit_to_view()
    canvas.show_image(_image(100, 100, QColor("blue")))
    assert canvas.zoom() == 1.0


def test_wheel_zooms_around_the_cursor(canvas) -> None:
    canvas.show_image(_image(800, 600, QColor("red")))
    canvas.actual_size()
    cursor = QPoint(300, 200)
    before = canvas.mapToScene(cursor)
    _wheel(canvas, cursor, 120)
    assert canvas.zoom() == pytest.approx(1.25)
    after = canvas.mapToScene(cursor)
    assert (after - before).manhattanLength() < 2  # the point under the cursor stays put


def test_previews_are_stretched_over_the_final_size(canvas) -> None:
    canvas.show_image(_image(8, 8, QColor("green")), QSize(64, 64))
    assert canvas.image_size() == QSize(64, 64)


def test_checkerboard_shows_through_transparency(canvas) -> None:
    clear = QImage(100, 100, QImage.Format.Format_RGBA8888)
    clear.fill(Qt.GlobalColor.transparent)
    canvas.show_image(clear)
    grab = canvas.viewport().grab().toImage()
    centre = canvas.mapFromScene(QPointF(50, 50))
    colours = {grab.pixelColor(centre + QPoint(dx, 0)).name() for dx in range(0, 16)}
    assert colours == {"#f2f2f2", "#cccccc"}


def _drop(canvas: CanvasView, mime: QMimeData) -> None:
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    canvas.dropEvent(event)


def test_dropping_files_reports_their_paths(canvas, qtbot, tmp_path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.png"))])
    with qtbot.waitSignal(canvas.filesDropped) as blocker:
        _drop(canvas, mime)
    assert blocker.args == [[str(tmp_path / "a.png")]]


def test_dropping_image_data_reports_the_image(canvas, qtbot) -> None:
    mime = QMimeData()
    mime.setImageData(_image(10, 12, QColor("yellow")))
    with qtbot.waitSignal(canvas.imageDropped) as blocker:
        _drop(canvas, mime)
    assert blocker.args[0].size() == QSize(10, 12)
