"""The mask brush's settings: brush or eraser, size, hardness and the overlay's colour."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

MIN_SIZE = 1
MAX_SIZE = 512
DEFAULT_SIZE = 48
DEFAULT_HARDNESS = 0.8
# Red at half opacity: visible over most pictures without hiding what lies under the mask.
DEFAULT_COLOUR = QColor(255, 0, 0, 128)
SHRINK = 0.8
GROW = 1.25


class MaskMode(Enum):
    """What a stroke does: the brush marks pixels for repainting, the eraser keeps them."""

    BRUSH = "brush"
    ERASER = "eraser"


class MaskTool(QObject):
    """The brush state shared by the toolbar, the keyboard and the canvas.

    Sizes are in image pixels, so a stroke covers the same part of the picture at any zoom.

    Signals:
        modeChanged(object): the new :class:`MaskMode`.
        sizeChanged(int): the new diameter in image pixels.
        hardnessChanged(float): the new hardness, 0 (soft) to 1 (hard edge).
        colourChanged(QColor): the new overlay colour (its alpha is the overlay's opacity).
    """

    modeChanged = Signal(object)
    sizeChanged = Signal(int)
    hardnessChanged = Signal(float)
    colourChanged = Signal(QColor)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mode = MaskMode.BRUSH
        self._size = DEFAULT_SIZE
        self._hardness = DEFAULT_HARDNESS
        self._colour = QColor(DEFAULT_COLOUR)

    def mode(self) -> MaskMode:
        return self._mode

    def set_mode(self, mode: MaskMode) -> None:
        if mode != self._mode:
            self._mode = mode
            self.modeChanged.emit(mode)

    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        """Use a diameter of ``size`` image pixels (kept within 1..512)."""
        size = max(MIN_SIZE, min(MAX_SIZE, int(size)))
        if size != self._size:
            self._size = size
            self.sizeChanged.emit(size)

    def shrink(self) -> None:
        """``[``: a fifth smaller, and at least one pixel, so small brushes still change."""
        self.set_size(min(self._size - 1, round(self._size * SHRINK)))

    def grow(self) -> None:
        """``]``: a quarter larger (undoes a shrink), and at least one pixel."""
        self.set_size(max(self._size + 1, round(self._size * GROW)))

    def hardness(self) -> float:
        return self._hardness

    def set_hardness(self, hardness: float) -> None:
        """1 paints a hard edge; lower values fade the outer part of each dab."""
        hardness = max(0.0, min(1.0, float(hardness)))
        if hardness != self._hardness:
            self._hardness = hardness
            self.hardnessChanged.emit(hardness)

    def colour(self) -> QColor:
        return QColor(self._colour)

    def set_colour(self, colour: QColor) -> None:
        if colour.isValid() and colour != self._colour:
            self._colour = QColor(colour)
            self.colourChanged.emit(QColor(colour))
