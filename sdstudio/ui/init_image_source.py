"""The init image for img2img, and every way to set it: open, drop, paste, clear."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.ui.image_convert import pil_to_qimage, qimage_to_pil
from sdstudio.ui.qt import asyncSlot

if TYPE_CHECKING:
    from PIL import Image

NO_IMAGE_ON_CLIPBOARD = "The clipboard holds no image."


class InitImageSource(QObject):
    """Holds the init image (PIL for the engine, QImage for the canvas).

    Files are read off the GUI thread by async slots on the qasync loop.

    Signals:
        changed(): the init image was set or cleared.
        opened(str): a file became the init image (its path).
        failed(str): something could not be used as an image (message for the user).
    """

    changed = Signal()
    opened = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._image: Image.Image | None = None
        self._qimage: QImage | None = None
        self._name = ""

    def image(self) -> Image.Image | None:
        return self._image

    def qimage(self) -> QImage | None:
        return self._qimage

    def description(self) -> str | None:
        """e.g. ``photo.png (640 × 480)``, or None without an init image."""
        if self._image is None:
            return None
        return f"{self._name} ({self._image.width} × {self._image.height})"

    def set_image(self, image: Image.Image | None, name: str = "image") -> None:
        """Use ``image`` (None: back to text to image)."""
        self._image = image
        self._qimage = None if image is None else pil_to_qimage(image)
        self._name = name if image is not None else ""
        self.changed.emit()

    @Slot()
    def clear(self) -> None:
        self.set_image(None)

    async def open(self, path: str | Path) -> bool:
        """Read ``path`` off the GUI thread and use it; False (and ``failed``) if it cannot."""
        try:
            image = await asyncio.get_running_loop().run_in_executor(None, load_init_image, path)
        except UserFacingError as error:
            self.failed.emit(str(error))
            return False
        self.set_image(image, Path(path).name)
        self.opened.emit(str(path))
        return True

    @asyncSlot(str)
    async def open_soon(self, path: str) -> None:
        """Start :meth:`open` from a signal (a dialog, a drop)."""
        await self.open(path)

    @Slot(QImage)
    def use_qimage(self, image: QImage, name: str = "pasted image") -> None:
        if image.isNull():
            self.failed.emit("That is not an image sdstudio can read.")
            return
        self.set_image(qimage_to_pil(image).convert("RGB"), name)

    @Slot()
    def paste(self) -> None:
        """Image data, or an image file, from the clipboard."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            self.failed.emit(NO_IMAGE_ON_CLIPBOARD)
            return
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if mime.hasImage():
            self.use_qimage(QImage(mime.imageData()))
        elif paths:
            self.open_soon(paths[0])
        else:
            self.failed.emit(NO_IMAGE_ON_CLIPBOARD)
