"""The refiner: a model that finishes the last steps (SDXL's refiner), and where it takes over."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)


class RefinerRow(QWidget):
    """``refinerEdit`` holds the refiner's folder or hub id (empty: none); ``refinerBrowseButton``
    opens ``refinerFolderDialog`` to pick a folder; ``refinerSwitchSpin`` is the fraction of the
    steps the main model runs first (A1111's "Switch at")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(objectName="refinerEdit")
        self.edit.setPlaceholderText("None (folder or hub id)")
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip(
            "A second model that finishes the picture from the switch point on, "
            "e.g. stabilityai/stable-diffusion-xl-refiner-1.0"
        )
        self.browse_button = QToolButton(objectName="refinerBrowseButton", text="…")
        self.browse_button.setToolTip("Choose a refiner folder")
        self.switch_spin = QDoubleSpinBox(objectName="refinerSwitchSpin")
        self.switch_spin.setDecimals(2)
        self.switch_spin.setSingleStep(0.05)
        self.switch_spin.setPrefix("switch at ")
        self.switch_spin.setToolTip("The fraction of the steps the main model runs first")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse_button)
        layout.addWidget(self.switch_spin)
        self.browse_button.clicked.connect(self._browse)
        self.edit.textChanged.connect(self._on_text_changed)
        self._on_text_changed(self.edit.text())

    @Slot()
    def _browse(self) -> None:
        dialog = QFileDialog(self, "Choose a refiner folder", objectName="refinerFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.edit.setText)
        dialog.open()

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        self.switch_spin.setEnabled(bool(text.strip()))
