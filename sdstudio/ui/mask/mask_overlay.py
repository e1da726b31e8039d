"""Drawing the mask on the canvas: a tinted layer over the picture and the brush's outline.

Both are scene items in the picture's coordinates, so zoom and pan move them with it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

OVERLAY_Z = 1.0
CURSOR_Z = 2.0
TINTED = QImage.Format.Format_ARGB32_Premultiplied


class MaskOverlay(QGraphicsItem):
    """The mask in the overlay colour: mask value × the colour's alpha gives each pixel's
    opacity, so a soft edge shows soft. Item coordinates are mask pixels; the owner scales
    the item when the picture is shown at another size (:meth:`fit_to`)."""

    def __init__(self, colour: QColor) -> None:
        super().__init__()
        self._colour = QColor(colour)
        self._tinted = QImage()
        self.setZValue(OVERLAY_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:
        return QRectF(self._tinted.rect())

    def paint(
        self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None
    ) -> None:
        if not self._tinted.isNull():
            painter.drawImage(QPointF(0, 0), self._tinted)

    def tinted(self) -> QImage:
        """What is drawn over the picture (for tests and screenshots)."""
        return QImage(self._tinted)

    def set_mask(self, mask: QImage) -> None:
        """Show all of ``mask`` (Grayscale8); later strokes come through :meth:`update_area`.

        No reference to ``mask`` is kept: the layer would then copy its whole image on
        every dab (Qt's copy-on-write)."""
        if mask.size() != self._tinted.size():
            self.prepareGeometryChange()
        self._tinted = QImage() if mask.isNull() else QImage(mask.size(), TINTED)
        self.update_area(self._tinted.rect(), mask)

    def update_area(self, rect: QRect, patch: QImage) -> None:
        """Re-tint ``rect`` from ``patch``, the mask's pixels there (``rect``'s size)."""
        if rect.isEmpty() or not self._tinted.rect().contains(rect):
            return
        tinted = QImage(rect.size(), TINTED)
        tinted.fill(self._colour)
        # A gray alpha channel multiplies the colour's own alpha.
        tinted.setAlphaChannel(patch)
        painter = QPainter(self._tinted)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(rect.topLeft(), tinted)
        painter.end()
        self.update(QRectF(rect))

    def set_colour(self, colour: QColor, mask: QImage) -> None:
        """Tint ``mask`` (the whole of it) in ``colour`` from now on."""
        self._colour = QColor(colour)
        self.set_mask(mask)

    def fit_to(self, shown: QSize) -> None:
        """Stretch the mask over a picture shown at ``shown`` scene units (usually its size)."""
        mask = self._tinted.size()
        if mask.isEmpty() or shown.isEmpty():
            self.resetTransform()
            return
        self.setTransform(
            QTransform.fromScale(shown.width() / mask.width(), shown.height() / mask.height())
        )


class BrushCursor(QGraphicsItem):
    """A circle the brush's size around the pointer, drawn 1 px wide at any zoom, dark and
    light so it shows on any picture."""

    def __init__(self) -> None:
        super().__init__()
        self._radius = 0.5
        self.setZValue(CURSOR_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_diameter(self, diameter: float) -> None:
        """``diameter`` in scene units (mask pixels times the overlay's scale)."""
        radius = max(0.5, diameter / 2)
        if radius != self._radius:
            self.prepareGeometryChange()
            self._radius = radius

    def boundingRect(self) -> QRectF:
        # A little margin: the 1 px outline lies partly outside the circle at high zoom-out.
        r = self._radius + 2
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(
        self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget: QWidget | None = None
    ) -> None:
        circle = QRectF(-self._radius, -self._radius, 2 * self._radius, 2 * self._radius)
        dark = QPen(QColor(0, 0, 0, 200), 0)
        painter.setPen(dark)
        painter.drawEllipse(circle)
        light = QPen(QColor(255, 255, 255, 220), 0, Qt.PenStyle.DashLine)
        painter.setPen(light)
        painter.drawEllipse(circle)
