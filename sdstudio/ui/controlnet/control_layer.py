"""A unit's control map laid over the canvas, half transparent, where the run would put it.

The map is placed over the shown picture as the unit's resize mode will fit it to the run:
stretched ("Just Resize"), covering it with the overhang cut ("Crop and Resize") or inside
it with margins ("Resize and Fill"), so edges can be checked against the picture.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Slot
from PySide6.QtGui import QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsRectItem

from sdstudio.engine.controlnet_preprocessors import ResizeMode
from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.controlnet.panel import ControlNetPanel

LAYER_Z = 0.5  # above the picture, below the mask overlay and the brush
OPACITY = 0.5


class ControlLayer(QObject):
    """Shows ``panel.layer_map()`` over ``canvas``'s picture and follows both. No signals."""

    def __init__(
        self, canvas: CanvasView, panel: ControlNetPanel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent if parent is not None else canvas)
        self._canvas = canvas
        self._panel = panel
        self._frame = QGraphicsRectItem()  # the picture's rectangle; clips the map to it
        self._frame.setPen(QPen(Qt.PenStyle.NoPen))
        self._frame.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self._frame.setZValue(LAYER_Z)
        self._frame.setOpacity(OPACITY)
        self._frame.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._map = QGraphicsPixmapItem(self._frame)
        self._map.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._resize = ResizeMode.CROP_AND_RESIZE
        self._frame.hide()
        canvas.scene().addItem(self._frame)
        panel.layerChanged.connect(self.update_map)
        canvas.imageShown.connect(self._fit)

    def is_shown(self) -> bool:
        return self._frame.isVisible()

    @Slot()
    def update_map(self) -> None:
        shown = self._panel.layer_map()
        if shown is None:
            self._map.setPixmap(QPixmap())
        else:
            overlay, resize = shown
            self._map.setPixmap(QPixmap.fromImage(overlay))
            self._resize = ResizeMode.from_name(resize)
        self._fit()

    @Slot()
    def _fit(self) -> None:
        size = self._canvas.image_size()
        pixmap = self._map.pixmap()
        if pixmap.isNull() or size.isEmpty() or not self._canvas.has_image():
            self._frame.hide()
            return
        width, height = size.width(), size.height()
        self._frame.setRect(QRectF(0, 0, width, height))
        across, down = width / pixmap.width(), height / pixmap.height()
        if self._resize is ResizeMode.JUST_RESIZE:
            self._map.setTransform(QTransform.fromScale(across, down))
        else:
            covering = self._resize is ResizeMode.CROP_AND_RESIZE
            scale = max(across, down) if covering else min(across, down)
            left = (width - pixmap.width() * scale) / 2
            top = (height - pixmap.height() * scale) / 2
            self._map.setTransform(QTransform(scale, 0, 0, scale, left, top))
        self._frame.show()
