"""The "Upscalers…" dialog: every upscaler with its scale and architecture (as spandrel finds
them), the files that cannot be used with the reason, the folder, and Refresh."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.upscalers import UpscalerInfo
from sdstudio.engine.upscalers.model_files import MODEL_SUFFIXES
from sdstudio.ui.upscale.catalog import UpscalerCatalog
from sdstudio.ui.upscale.upscaler_items import upscaler_tip

COLUMNS = ("Name", "Scale", "Architecture", "Notes")
NAME, SCALE, ARCHITECTURE, NOTES = range(len(COLUMNS))


class UpscalersDialog(QDialog):
    """``upscalersDialog``: ``upscalersList`` (a row per upscaler: name, scale,
    architecture, and the file or why it cannot be used), ``upscalersFolderLabel``,
    ``openUpscalersFolderButton`` and ``refreshUpscalersButton`` (reads the folder again).

    Signals:
        failed(str): the folder could not be opened in the file manager.
    """

    failed = Signal(str)

    def __init__(
        self, catalog: UpscalerCatalog, folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("upscalersDialog")
        self.setWindowTitle("Upscalers")
        self._catalog = catalog
        self._folder = folder
        self.folder_label = QLabel(
            f"Upscaler models ({', '.join(MODEL_SUFFIXES)}) go in {folder}; spandrel tells "
            "their architecture and scale.",
            objectName="upscalersFolderLabel",
        )
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QTreeWidget(objectName="upscalersList")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.status = QLabel(objectName="upscalersStatus", wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("Open Folder", objectName="openUpscalersFolderButton")
        self.refresh_button = QPushButton("Refresh", objectName="refreshUpscalersButton")
        for button in (self.open_button, self.refresh_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(640, 360)
        self.buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_folder)
        self.refresh_button.clicked.connect(self.refresh)
        catalog.listed.connect(self.show_upscalers)
        catalog.failed.connect(self._on_failed)
        self.show_upscalers(catalog.upscalers)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        self.status.setText("Reading the upscaler folder…")
        self.refresh_button.setEnabled(False)
        self._catalog.refresh()

    @Slot(list)
    def show_upscalers(self, upscalers: Sequence[UpscalerInfo]) -> None:
        self.list.clear()
        for info in upscalers:
            self.list.addTopLevelItem(_row(info))
        unusable = sum(not info.usable for info in upscalers)
        models = sum(info.path is not None for info in upscalers)
        text = f"{models} model file{'s' if models != 1 else ''}"
        if unusable:
            text += f", {unusable} that cannot be used (see Notes)"
        self.status.setText(text + ".")
        self.refresh_button.setEnabled(True)

    @Slot()
    def open_folder(self) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder))):
            self.failed.emit(f"Could not open the folder {self._folder}")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self.refresh_button.setEnabled(True)


def _row(info: UpscalerInfo) -> QTreeWidgetItem:
    if not info.usable:
        notes = f"cannot be used: {info.problem}"
    elif info.path is not None:
        notes = info.path.name
    else:
        notes = "built in, no model needed"
    scale = f"{info.scale}×" if info.scale else ("any" if info.usable else "")
    item = QTreeWidgetItem([info.name, scale, info.architecture if info.usable else "", notes])
    tip = upscaler_tip(info)
    for column in range(len(COLUMNS)):
        item.setToolTip(column, tip)
    if not info.usable:
        item.setDisabled(True)
    return item
