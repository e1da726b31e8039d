"""The LoRAs and embeddings panel: find a file, read what it was trained on, click to write its
tag into the prompt (``<lora:NAME:WEIGHT>`` at the slider's weight, or an embedding's name)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.networks.library import NetworkKind
from sdstudio.ui.networks.model import NetworkEntry, NetworkRole, NetworksFilter, NetworksModel

WEIGHT_STEPS = 100  # slider units per 1.0 of weight
KINDS = (("All", ""), ("LoRAs", NetworkKind.LORA.value), ("Embeddings", "embedding"))


def tag_for(entry: NetworkEntry, weight: float) -> str:
    """What a click writes into the prompt."""
    if entry.file.kind is NetworkKind.LORA:
        return f"<lora:{entry.file.name}:{weight:g}>"
    return entry.file.name


class NetworksPanel(QWidget):
    """Lists the files of ``folders``; a click inserts the tag at ``prompt_edit``'s cursor."""

    def __init__(
        self,
        prompt_edit: QPlainTextEdit,
        folders: dict[NetworkKind, Sequence[Path]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("networksPanel")
        self._prompt = prompt_edit
        self.model = NetworksModel(folders, self)
        self.proxy = NetworksFilter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(objectName="networksSearch")
        self.search.setPlaceholderText("Search names and trigger words…")
        self.search.setClearButtonEnabled(True)
        self.kind_combo = QComboBox(objectName="networksKindCombo")
        for label, kind in KINDS:
            self.kind_combo.addItem(label, kind)
        self.refresh_button = QPushButton("Refresh", objectName="networksRefresh")
        self.list = QListView(objectName="networksList")
        self.list.setModel(self.proxy)
        self.list.setIconSize(QSize(48, 48))
        self.list.setUniformItemSizes(True)
        self.weight_slider = QSlider(Qt.Orientation.Horizontal, objectName="networkWeightSlider")
        self.weight_slider.setRange(-WEIGHT_STEPS, 2 * WEIGHT_STEPS)
        self.weight_slider.setValue(WEIGHT_STEPS)
        self.weight_label = QLabel(objectName="networkWeightLabel")
        self.details = QLabel(objectName="networkDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty_label = QLabel(objectName="networksEmptyLabel")
        self.empty_label.setWordWrap(True)
        self._lay_out()
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.kind_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_kind(str(self.kind_combo.currentData()))
        )
        self.refresh_button.clicked.connect(self.model.rescan)
        self.list.clicked.connect(self.insert_tag)
        self.list.selectionModel().currentChanged.connect(self._show_details)
        self.weight_slider.valueChanged.connect(self._show_weight)
        self.model.scanned.connect(self._on_scanned)
        self._folders = folders
        self._show_weight()
        self.model.rescan()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind_combo)
        top.addWidget(self.refresh_button)
        weight = QHBoxLayout()
        weight.addWidget(QLabel("LoRA weight"))
        weight.addWidget(self.weight_slider, 1)
        weight.addWidget(self.weight_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(weight)
        layout.addWidget(self.details)

    @property
    def weight(self) -> float:
        return self.weight_slider.value() / WEIGHT_STEPS

    @Slot(QModelIndex)
    def insert_tag(self, index: QModelIndex) -> None:
        """Write the clicked file's tag at the prompt's cursor, with a space before it."""
        entry = index.data(NetworkRole.ENTRY)
        if entry is None:
            return
        cursor = self._prompt.textCursor()
        text = self._prompt.toPlainText()
        before = text[: cursor.position()]
        spacer = "" if not before or before[-1].isspace() else " "
        cursor.insertText(spacer + tag_for(entry, self.weight))
        self._prompt.setTextCursor(cursor)

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.data(NetworkRole.ENTRY)
        self.details.setText(entry.details() if entry is not None else "")

    def _show_weight(self) -> None:
        self.weight_label.setText(f"{self.weight:.2f}")

    def _on_scanned(self) -> None:
        if self.model.rowCount() == 0:
            places = "; ".join(str(f[-1]) for f in self._folders.values() if f)
            self.empty_label.setText(
                f"No LoRAs or embeddings yet. Put .safetensors files in: {places}, then Refresh."
            )
            self.empty_label.show()
        else:
            self.empty_label.hide()
