"""The inpainting mask itself: 8-bit gray at the init image's size, painted in strokes, undoable.

255 means "repaint this pixel", 0 means "keep it", as in the masks A1111 and diffusers take.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QUndoCommand, QUndoStack

from sdstudio.engine.errors import MaskError
from sdstudio.engine.generation.picture_file import load_picture
from sdstudio.ui.image_convert import pil_to_qimage
from sdstudio.ui.mask.mask_tool import DEFAULT_HARDNESS, DEFAULT_SIZE, MaskMode

GRAY = QImage.Format.Format_Grayscale8
# Dabs this far apart (as a fraction of the diameter) overlap enough that a stroke's edge
# looks smooth; a dab is at least a pixel from the last so slow strokes stay cheap.
SPACING = 0.1
# A 1 px brush still covers the pixel under the pointer wherever in that pixel it lands.
MIN_RADIUS = 0.75


class MaskFileError(ValueError):
    """A mask file that cannot be used; the message is meant for the user."""


class _PatchCommand(QUndoCommand):
    """One undo step: the pixels of ``rect`` before and after a change."""

    def __init__(self, layer: MaskLayer, rect: QRect, before: QImage, after: QImage, text: str):
        super().__init__(text)
        self._layer = layer
        self._rect = QRect(rect)
        self._before = before
        self._after = after

    def redo(self) -> None:
        # A stroke is already on the layer when pushed: writing it again changes nothing.
        self._layer._write(self._rect, self._after)

    def undo(self) -> None:
        self._layer._write(self._rect, self._before)


class MaskLayer(QObject):
    """The mask (``QImage.Format_Grayscale8``) with strokes, fill/clear/invert, files and undo.

    Each stroke, fill, clear, invert or load is one step on :attr:`undo_stack`; a change that
    alters no pixel adds no step.

    Signals:
        changed(): the mask's pixels changed (a stroke reports once, when it ends), or the
            layer was reset.
        areaChanged(QRect): these pixels changed (a reset, an edit, undo or redo). A stroke's
            dabs are not signalled: :meth:`begin_stroke` and :meth:`continue_stroke` return
            the pixels they touched, as a pointer event can come hundreds of times a second.
    """

    changed = Signal()
    areaChanged = Signal(QRect)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self.undo_stack = QUndoStack(self)
        self._stroke: _Stroke | None = None

    # -- the image -----------------------------------------------------------------------

    def reset(self, size: QSize) -> None:
        """A blank mask of ``size`` (an empty size: no mask), with no undo history."""
        self._stroke = None
        self.undo_stack.clear()
        if size.isEmpty():
            self._image = QImage()
        else:
            self._image = QImage(size, GRAY)
            self._image.fill(0)
        self.areaChanged.emit(self._image.rect())
        self.changed.emit()

    def size(self) -> QSize:
        return self._image.size() if not self._image.isNull() else QSize()

    def image(self) -> QImage:
        """The mask (a copy that keeps its pixels while the layer changes)."""
        return QImage(self._image)

    def is_empty(self) -> bool:
        """True when no pixel would be repainted."""
        return self._image.isNull() or not _pixels(self._image).any()

    def to_pil(self) -> Image.Image | None:
        """The mask as a PIL ``L`` image, or None when it repaints nothing."""
        if self.is_empty():
            return None
        return Image.fromarray(_pixels(self._image).copy())  # uint8, 2-D: mode L

    def set_image(self, image: QImage, text: str = "Set mask") -> None:
        """Use ``image`` as the mask (one undo step): any format becomes gray, transparent
        pixels count as black, and another size is stretched to the layer's size (a layer
        without a size takes the image's)."""
        if image.isNull():
            raise MaskFileError("That is not an image sdstudio can read.")
        self._replace(self._fitted(image), text)

    # -- whole-mask edits ----------------------------------------------------------------

    def fill(self) -> None:
        """Mark every pixel for repainting."""
        self._replace_with_value(255, "Fill mask")

    def clear(self) -> None:
        """Keep every pixel."""
        self._replace_with_value(0, "Clear mask")

    def invert(self) -> None:
        """Swap what is repainted and what is kept."""
        if self._image.isNull():
            return
        inverted = self._image.copy()
        inverted.invertPixels()
        self._replace(inverted, "Invert mask")

    def undo(self) -> None:
        self.end_stroke()
        self.undo_stack.undo()

    def redo(self) -> None:
        self.end_stroke()
        self.undo_stack.redo()

    # -- strokes -------------------------------------------------------------------------

    def begin_stroke(
        self,
        point: QPointF,
        pressure: float,
        mode: MaskMode,
        diameter: float = DEFAULT_SIZE,
        hardness: float = DEFAULT_HARDNESS,
    ) -> QRect:
        """Start a stroke at ``point`` (mask pixels; pixel (x, y) spans x..x+1): the brush
        paints 255, the eraser 0, in round dabs of ``diameter`` × ``pressure``. Returns the
        pixels painted."""
        self.end_stroke()
        if self._image.isNull():
            return QRect()
        value = 255 if mode is MaskMode.BRUSH else 0
        self._stroke = _Stroke(self._image.copy(), value, float(diameter), float(hardness))
        self._stroke.last_point = QPointF(point)
        self._stroke.last_pressure = pressure
        self._dab(point, pressure)
        self._stroke.to_next = self._spacing(pressure)
        return self._take_pending()

    def continue_stroke(self, point: QPointF, pressure: float) -> QRect:
        """Paint on to ``point``, with dabs all along the way however far it is. Returns the
        pixels painted."""
        stroke = self._stroke
        if stroke is None:
            return QRect()
        start, start_pressure = stroke.last_point, stroke.last_pressure
        length = math.hypot(point.x() - start.x(), point.y() - start.y())
        travelled = stroke.to_next
        while travelled <= length:
            t = travelled / length
            at_pressure = start_pressure + (pressure - start_pressure) * t
            self._dab(start + (point - start) * t, at_pressure)
            travelled += self._spacing(at_pressure)
        stroke.to_next = travelled - length
        stroke.last_point = QPointF(point)
        stroke.last_pressure = pressure
        return self._take_pending()

    def end_stroke(self) -> None:
        """Finish the stroke: it becomes one undo step (none if it changed nothing)."""
        stroke, self._stroke = self._stroke, None
        if stroke is None or stroke.dirty.isEmpty():
            return
        rect = stroke.dirty
        before, after = stroke.before.copy(rect), self._image.copy(rect)
        if before != after:
            self.undo_stack.push(_PatchCommand(self, rect, before, after, "Mask stroke"))

    def is_stroking(self) -> bool:
        return self._stroke is not None

    # -- files ---------------------------------------------------------------------------

    def load(self, path: str | Path) -> None:
        """Use the image in ``path`` as the mask (white repaints). An unreadable or all-black
        file raises :class:`MaskFileError` and leaves the mask as it was."""
        name = Path(path).name
        try:  # upright as its EXIF says and at most 4096 a side, as the command line's --mask
            picture = load_picture(Path(path), MaskError, "a mask image")
        except MaskError as error:
            told = str(error)
            if told.startswith("Cannot read"):  # not a picture, or no such file
                told = f"{name} is not an image sdstudio can read."
            raise MaskFileError(told) from None
        fitted = self._fitted(picture_qimage(picture))
        if not _pixels(fitted).any():
            raise MaskFileError(
                f"{name} is all black: nothing would be repainted. "
                "Paint white where the picture should change."
            )
        self._replace(fitted, "Load mask")

    def save(self, path: str | Path) -> None:
        """Write the mask as a gray PNG, white where the picture is to be repainted."""
        if self._image.isNull():
            raise MaskFileError("There is no mask to save: open an init image first.")
        if not self._image.save(str(path), "PNG"):
            raise MaskFileError(f"Could not save the mask to {path}.")

    # -- inside --------------------------------------------------------------------------

    def _fitted(self, image: QImage) -> QImage:
        if image.hasAlphaChannel():
            # What shows over black: transparent parts of an RGBA mask are kept.
            opaque = QImage(image.size(), QImage.Format.Format_RGB32)
            opaque.fill(QColor("black"))
            painter = QPainter(opaque)
            painter.drawImage(0, 0, image)
            painter.end()
            image = opaque
        gray = image.convertToFormat(GRAY)
        size = self.size()
        if not size.isEmpty() and gray.size() != size:
            gray = gray.scaled(
                size,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            ).convertToFormat(GRAY)
        return gray

    def _replace_with_value(self, value: int, text: str) -> None:
        if self._image.isNull():
            return
        image = QImage(self._image.size(), GRAY)
        image.fill(QColor(value, value, value))
        self._replace(image, text)

    def _replace(self, image: QImage, text: str) -> None:
        self.end_stroke()
        if self._image.isNull():
            # No size yet: the image sets it (nothing to undo back to).
            self._image = image.copy()
            self.areaChanged.emit(self._image.rect())
            self.changed.emit()
            return
        if image == self._image:
            return
        rect = self._image.rect()
        self.undo_stack.push(_PatchCommand(self, rect, self._image.copy(), image.copy(), text))

    def _write(self, rect: QRect, patch: QImage) -> None:
        """Put ``patch`` at ``rect`` (for undo commands)."""
        _pixels(self._image, writable=True)[
            rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1
        ] = _pixels(patch)
        self.areaChanged.emit(QRect(rect))
        self.changed.emit()

    def _spacing(self, pressure: float) -> float:
        assert self._stroke is not None
        return max(1.0, self._stroke.diameter * _pressure(pressure) * SPACING)

    def _dab(self, centre: QPointF, pressure: float) -> None:
        """One round dab, combined by max (brush) or min (eraser), so overlapping dabs of a
        soft brush do not build up darker than a single dab."""
        stroke = self._stroke
        assert stroke is not None
        radius = max(MIN_RADIUS, stroke.diameter * _pressure(pressure) / 2)
        cx, cy = centre.x(), centre.y()
        width, height = self._image.width(), self._image.height()
        x0, x1 = max(0, math.floor(cx - radius)), min(width, math.ceil(cx + radius))
        y0, y1 = max(0, math.floor(cy - radius)), min(height, math.ceil(cy + radius))
        if x0 >= x1 or y0 >= y1:
            return
        ys, xs = np.ogrid[y0:y1, x0:x1]
        distance = np.hypot(xs + 0.5 - cx, ys + 0.5 - cy)
        cover = _coverage(distance, radius, stroke.hardness)
        pixels = _pixels(self._image, writable=True)[y0:y1, x0:x1]
        if stroke.value == 255:
            np.maximum(pixels, np.rint(cover * 255).astype(np.uint8), out=pixels)
        else:
            np.minimum(pixels, np.rint((1 - cover) * 255).astype(np.uint8), out=pixels)
        area = QRect(x0, y0, x1 - x0, y1 - y0)
        stroke.dirty = stroke.dirty.united(area)
        stroke.pending = stroke.pending.united(area)

    def _take_pending(self) -> QRect:
        """The pixels dabbed since the last call."""
        assert self._stroke is not None
        pending, self._stroke.pending = self._stroke.pending, QRect()
        return pending


class _Stroke:
    """What a stroke in progress needs: the mask before it, its brush, where it has been."""

    def __init__(self, before: QImage, value: int, diameter: float, hardness: float) -> None:
        self.before = before
        self.value = value
        self.diameter = diameter
        self.hardness = hardness
        self.last_point = QPointF()
        self.last_pressure = 1.0
        self.to_next = 0.0  # distance along the path to the next dab
        self.dirty = QRect()  # every pixel the stroke touched
        self.pending = QRect()  # touched since begin/continue last returned


def _pressure(pressure: float) -> float:
    return max(0.0, min(1.0, pressure))


def _coverage(distance: np.ndarray, radius: float, hardness: float) -> np.ndarray:
    """1 inside ``radius × hardness``, easing to 0 at ``radius`` (a hard brush: 1 or 0)."""
    inner = radius * hardness
    if radius - inner < 1e-6:
        return (distance <= radius).astype(np.float64)
    t = np.clip((radius - distance) / (radius - inner), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _pixels(image: QImage, writable: bool = False) -> np.ndarray:
    """The gray image's pixels as a (height, width) array (a view: writes go to the image)."""
    buffer = image.bits() if writable else image.constBits()
    rows = np.frombuffer(buffer, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width()]


def picture_qimage(image: Image.Image) -> QImage:
    """A mask in any PIL mode as a QImage the layer can take (gray stays gray)."""
    if image.mode == "L":
        width, height = image.size
        return QImage(image.tobytes(), width, height, width, GRAY).copy()
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        return pil_to_qimage(image.convert("RGBA"))  # the layer reads it over black
    return picture_qimage(image.convert("L"))
