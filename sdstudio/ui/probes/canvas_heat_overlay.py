"""The attention heat map as an item over the canvas's result (the image is left untouched).

The layer is drawn once per token (``heat_layer`` at full opacity) and the item's opacity
does the rest, so the opacity slider costs no image work. It shows only while the canvas
shows the very result the maps belong to: a step preview, an init image or another result
hides it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from sdstudio.engine.probes.heat_overlay import heat_layer
from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.image_convert import pil_to_qimage

OVERLAY_Z = 1.0  # above the canvas's image item


class CanvasHeatOverlay(QObject):
    """A ``QGraphicsPixmapItem`` in the canvas's scene, over the result it belongs to."""

    def __init__(self, canvas: CanvasView) -> None:
        super().__init__(canvas)
        self._item = QGraphicsPixmapItem()
        self._item.setZValue(OVERLAY_Z)
        self._item.setVisible(False)
        canvas.scene().addItem(self._item)
        self._target_key: int | None = None
        self._target_size = (0, 0)
        self._shown_key = 0
        self._enabled = True
        canvas.imageShown.connect(self._on_image_shown)

    def set_result(self, image: QImage | None) -> None:
        """The result the maps belong to (None: no overlay until the next one)."""
        self._target_key = image.cacheKey() if image is not None else None
        self._target_size = (image.width(), image.height()) if image is not None else (0, 0)
        self._item.setPixmap(QPixmap())
        self._update()

    def set_heat(self, heat: np.ndarray | None) -> None:
        """Draw ``heat`` (peak 1) over the result; None removes the layer."""
        if heat is None or self._target_key is None:
            self._item.setPixmap(QPixmap())
        else:
            layer = heat_layer(heat, self._target_size, 1.0)
            self._item.setPixmap(QPixmap.fromImage(pil_to_qimage(layer)))
        self._update()

    def set_opacity(self, opacity: float) -> None:
        self._item.setOpacity(opacity)

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        self._update()

    def is_shown(self) -> bool:
        return self._item.isVisible()

    @Slot(QImage)
    def _on_image_shown(self, image: QImage) -> None:
        self._shown_key = image.cacheKey()
        self._update()

    def _update(self) -> None:
        self._item.setVisible(
            self._enabled
            and not self._item.pixmap().isNull()
            and self._target_key is not None
            and self._shown_key == self._target_key
        )
