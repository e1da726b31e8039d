"""Non-blocking file dialogs (``open()``, not ``exec()``: no nested loop under qasync)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
SAVE_FILTER = "PNG image (*.png);;JPEG image (*.jpg *.jpeg)"


def ask_open_image(parent: QWidget, on_chosen: Callable[[str], object]) -> QFileDialog:
    """Show an "open image" dialog; ``on_chosen(path)`` runs if the user picks a file."""
    dialog = QFileDialog(parent, "Open init image", "", IMAGE_FILTER)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return _show(dialog, on_chosen)


def ask_save_image(parent: QWidget, start: str, on_chosen: Callable[[str], object]) -> QFileDialog:
    """Show a "save image as" dialog starting at ``start``; ``on_chosen(path)`` on accept."""
    dialog = QFileDialog(parent, "Save image as", start, SAVE_FILTER)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("png")
    return _show(dialog, on_chosen)


def _show(dialog: QFileDialog, on_chosen: Callable[[str], object]) -> QFileDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(on_chosen)
    dialog.open()
    return dialog
