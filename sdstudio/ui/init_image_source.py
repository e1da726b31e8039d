"""The init image for img2img, and every way to set it: open, drop, paste, clear."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.ui.background import run_in_background
from sdstudio.ui.image_convert import pil_to_qimage, qimage_to_pil

if TYPE_CHECKING:
    from PIL import Image

NO_IMAGE_ON_CLIPBOARD = "The clipboard holds no image."


class InitImageSource(QObject):
    """Holds the init image (PIL for the engine, QImage for the canvas).

    Files are read off the GUI thread; ``opened`` or ``failed`` says how it went.

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

    def name(self) -> str:
        """The file name (or "pasted image"); empty without an init image."""
        return self._name

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

    @Slot(str)
    def open(self, path: str | Path) -> None:
        """Read ``path`` off the GUI thread, then use it (``opened``) or say why not
        (``failed``)."""
        run_in_background(
            lambda: load_init_image(path),
            lambda image: self._use_opened(path, image),
            self._on_open_failed,
            parent=self,
        )

    def _use_opened(self, path: str | Path, image: Image.Image) -> None:
        self.set_image(image, Path(path).name)
        self.opened.emit(str(path))

    def _on_open_failed(self, error: Exception) -> None:
        if not isinstance(error, UserFacingError):
            raise error
        self.failed.emit(str(error))

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
            self.open(paths[0])
        else:
            self.failed.emit(NO_IMAGE_ON_CLIPBOARD)
