"""The image canvas: zoom around the cursor, drag to pan, fit / 100 %, drops of init images."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QPainter,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

ZOOM_STEP = 1.25
MIN_ZOOM = 1 / 32
MAX_ZOOM = 32.0
BACKDROP = QColor(0x33, 0x35, 0x38)
PLACEHOLDER = "Press Generate, or drop, paste (Ctrl+V) or open (Ctrl+O) an image to start from."


def checkerboard(square: int = 8) -> QPixmap:
    """A two-square tile shown behind transparent pixels."""
    tile = QPixmap(square * 2, square * 2)
    tile.fill(QColor(0xF2, 0xF2, 0xF2))
    painter = QPainter(tile)
    painter.fillRect(0, 0, square, square, QColor(0xCC, 0xCC, 0xCC))
    painter.fillRect(square, square, square, square, QColor(0xCC, 0xCC, 0xCC))
    painter.end()
    return tile


class CanvasView(QGraphicsView):
    """Shows one image at a time: the init image, live previews, then the result.

    A preview smaller than the final image (a latent preview) is stretched over the final
    size, so zoom and pan stay put while a run goes on.

    Signals:
        filesDropped(list): local paths dropped on the canvas.
        imageDropped(QImage): image data (not a file) dropped on the canvas.
        zoomChanged(float): the scale factor, 1.0 = 100 %.
        imageShown(QImage): the image now shown (a null QImage once cleared); copies of one
            QImage share its ``cacheKey()``, so a listener can tell which image it is.
    """

    filesDropped = Signal(list)
    imageDropped = Signal(QImage)
    zoomChanged = Signal(float)
    imageShown = Signal(QImage)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self._checker = QBrush(checkerboard())
        self._fit_mode = True
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        # Zoom keeps the point under the cursor itself (see zoom_by), from the wheel's position.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setMinimumSize(QSize(200, 200))

    # -- showing images ------------------------------------------------------------------

    def has_image(self) -> bool:
        return not self._item.pixmap().isNull()

    def image_size(self) -> QSize:
        """The size the image is shown at (a stretched preview reports the final size)."""
        return self._item.sceneBoundingRect().size().toSize()

    def current_pixmap(self) -> QPixmap:
        return self._item.pixmap()

    def show_image(self, image: QImage, display_size: QSize | None = None) -> None:
        """Show ``image``, stretched over ``display_size`` when given (for small previews)."""
        target = display_size if display_size is not None else image.size()
        resized = target != self.image_size()
        self._item.setPixmap(QPixmap.fromImage(image))
        sx = target.width() / max(1, image.width())
        sy = target.height() / max(1, image.height())
        self._item.setTransform(QTransform.fromScale(sx, sy))
        self.scene().setSceneRect(QRectF(QPointF(0, 0), target.toSizeF()))
        if resized and self._fit_mode:
            self.fit_to_view()
        self.imageShown.emit(image)

    def clear_image(self) -> None:
        self._item.setPixmap(QPixmap())
        self.scene().setSceneRect(QRectF())
        self.viewport().update()
        self.imageShown.emit(QImage())

    # -- zoom ----------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def fit_to_view(self) -> None:
        """Show the whole image (never enlarged past 100 % when it already fits)."""
        self._fit_mode = True
        if not self.has_image():
            return
        self.resetTransform()
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.resetTransform()
        self.zoomChanged.emit(self.zoom())

    def actual_size(self) -> None:
        """Show the image at 100 %."""
        self._fit_mode = False
        self.resetTransform()
        self.zoomChanged.emit(1.0)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Scale by ``factor`` keeping the scene point at viewport point ``anchor`` (default:
        the centre) where it is, within sane limits."""
        current = self.zoom()
        factor = max(MIN_ZOOM / current, min(MAX_ZOOM / current, factor))
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self._fit_mode = False
        self.scale(factor, factor)
        shift = self.mapToScene(anchor) - before
        self.translate(shift.x(), shift.y())
        self.zoomChanged.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit_to_view()

    # -- painting ------------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, BACKDROP)
        if self.has_image() and self._item.pixmap().hasAlphaChannel():
            # Checks stay the same size on screen whatever the zoom.
            area = self.mapFromScene(self._item.sceneBoundingRect()).boundingRect()
            painter.save()
            painter.resetTransform()
            painter.fillRect(area, self._checker)
            painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.has_image():
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QColor(0xA8, 0xAC, 0xB2))
        area = self.viewport().rect().adjusted(40, 0, -40, 0)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, PLACEHOLDER)
        painter.restore()

    # -- drag and drop (handled here, not passed on to the scene) -------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
        elif mime.hasImage():
            event.acceptProposedAction()
            self.imageDropped.emit(QImage(mime.imageData()))
        else:
            event.ignore()
