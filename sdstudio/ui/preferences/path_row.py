"""A path field with Browse buttons (non-blocking dialogs: no nested loop under qasync)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

WEIGHTS_FILTER = "Weights (*.safetensors *.bin *.pt *.pth);;All files (*)"


class PathRow(QWidget):
    """``edit`` (objectName ``<name>Edit``) plus "Folder…" and, with ``files``, "File…".
    Empty means the default, which ``placeholder`` names. No signals: read :meth:`text`."""

    def __init__(
        self, name: str, placeholder: str, files: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(objectName=f"{name}Edit")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(320)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        folder_button = QPushButton("Folder…" if files else "Browse…")
        folder_button.setObjectName(f"{name}FolderButton")
        folder_button.clicked.connect(self.ask_folder)
        layout.addWidget(folder_button)
        if files:
            file_button = QPushButton("File…", objectName=f"{name}FileButton")
            file_button.clicked.connect(self.ask_file)
            layout.addWidget(file_button)

    def text(self) -> str:
        return self.edit.text().strip()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    @Slot()
    def ask_folder(self) -> QFileDialog:
        dialog = QFileDialog(self, "Choose a folder", self.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        return self._show(dialog)

    @Slot()
    def ask_file(self) -> QFileDialog:
        dialog = QFileDialog(self, "Choose a weights file", self.text(), WEIGHTS_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        return self._show(dialog)

    def _show(self, dialog: QFileDialog) -> QFileDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.edit.setText)
        dialog.open()
        return dialog
