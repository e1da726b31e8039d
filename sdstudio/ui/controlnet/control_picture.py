"""A unit's control image: opened from a file (off the GUI thread), taken from the canvas, or
cleared, with its name and size shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QPushButton, QWidget

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.controlnet.control_image import control_picture
from sdstudio.ui.background import run_in_background
from sdstudio.ui.file_dialogs import IMAGE_FILTER

if TYPE_CHECKING:
    from PIL import Image

NO_PICTURE = "No control image: open one, or use the canvas image."
NOTHING_ON_CANVAS = "There is no picture on the canvas: open an init image or generate one."

CanvasPicture = Callable[[], "tuple[Image.Image, str] | None"]


class ControlPicture(QWidget):
    """``controlImageName`` and the buttons ``controlOpenImage``, ``controlUseCanvas`` (what
    ``canvas_picture()`` gives: a picture and its name, or None) and ``controlClearImage``.

    Signals:
        changed(): the picture was set or cleared (:meth:`version` counts the changes).
        failed(str): a file could not be used, or the canvas had no picture.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, canvas_picture: CanvasPicture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas_picture = canvas_picture
        self._picture: Image.Image | None = None
        self._version = 0
        self.name_label = QLabel(NO_PICTURE, objectName="controlImageName")
        self.name_label.setWordWrap(True)
        self.open_button = QPushButton("Open…", objectName="controlOpenImage")
        self.canvas_button = QPushButton("Use canvas image", objectName="controlUseCanvas")
        self.canvas_button.setToolTip("Use the init image, or else the picture on the canvas")
        self.clear_button = QPushButton("Clear", objectName="controlClearImage")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name_label, 0, 0, 1, 3)
        for column, button in enumerate((self.open_button, self.canvas_button, self.clear_button)):
            layout.addWidget(button, 1, column)
        self.open_button.clicked.connect(self.choose)
        self.canvas_button.clicked.connect(self.use_canvas)
        self.clear_button.clicked.connect(self.clear)

    def picture(self) -> Image.Image | None:
        return self._picture

    def version(self) -> int:
        """Changes with every new picture, so a map made from an older one is told apart."""
        return self._version

    def set_picture(self, picture: Image.Image | None, name: str = "") -> None:
        self._picture = picture
        self._version += 1
        text = NO_PICTURE if picture is None else f"{name} ({picture.width} × {picture.height})"
        self.name_label.setText(text)
        self.changed.emit()

    @Slot()
    def clear(self) -> None:
        self.set_picture(None)

    @Slot()
    def use_canvas(self) -> None:
        found = self._canvas_picture()
        if found is None:
            self.failed.emit(NOTHING_ON_CANVAS)
            return
        self.set_picture(*found)

    @Slot()
    def choose(self) -> None:
        dialog = QFileDialog(self.window(), "Open control image", "", IMAGE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.open)
        dialog.open()

    @Slot(str)
    def open(self, path: str | Path) -> None:
        """Read ``path`` off the GUI thread (upright, bounded in size), then use it or say why
        not."""
        run_in_background(
            lambda: control_picture(Path(path)),
            lambda picture: self.set_picture(picture, Path(path).name),
            self._on_open_failed,
            parent=self,
        )

    def _on_open_failed(self, error: Exception) -> None:
        if not isinstance(error, UserFacingError):
            raise error
        self.failed.emit(str(error))
