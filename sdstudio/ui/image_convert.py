"""Converting between PIL images and QImage (QImage is safe to build in any thread)."""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QImage


def pil_to_qimage(image: Image.Image) -> QImage:
    """A QImage that owns a copy of the pixels (RGBA stays RGBA, everything else becomes RGB)."""
    if image.mode == "RGBA":
        fmt, channels = QImage.Format.Format_RGBA8888, 4
    else:
        image = image.convert("RGB")
        fmt, channels = QImage.Format.Format_RGB888, 3
    data = image.tobytes()
    width, height = image.size
    # QImage does not copy the buffer it is given: copy() so it never points at freed bytes.
    return QImage(data, width, height, width * channels, fmt).copy()


def qimage_to_pil(image: QImage) -> Image.Image:
    """An RGB (or RGBA, when the image has alpha) PIL copy of a QImage."""
    has_alpha = image.hasAlphaChannel()
    fmt = QImage.Format.Format_RGBA8888 if has_alpha else QImage.Format.Format_RGB888
    mode = "RGBA" if has_alpha else "RGB"
    converted = image.convertToFormat(fmt)
    width, height = converted.width(), converted.height()
    buffer = bytes(converted.constBits())
    return Image.frombuffer(mode, (width, height), buffer, "raw", mode, converted.bytesPerLine(), 1)
