"""The LoRA and embedding files as a list model, read in the background (headers and
thumbnails only), so a large library never holds up the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QImage, QPixmap

from sdstudio.engine.networks.file_info import NetworkInfo, network_info
from sdstudio.engine.networks.library import NetworkFile, NetworkKind, list_networks
from sdstudio.ui.background import run_in_background
from sdstudio.ui.history.thumbnails import read_thumbnail

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
THUMBNAIL_SIDE = 64


class NetworkRole(IntEnum):
    ENTRY = Qt.ItemDataRole.UserRole + 1  # the NetworkEntry
    SEARCH_TEXT = Qt.ItemDataRole.UserRole + 2  # name and trigger words, for the filter
    KIND = Qt.ItemDataRole.UserRole + 3  # "lora" or "embedding"


@dataclass(frozen=True)
class NetworkEntry:
    file: NetworkFile
    info: NetworkInfo
    thumbnail: QImage

    @property
    def tag(self) -> str:
        return self.file.name

    def details(self) -> str:
        """What the panel shows for the selected file."""
        lines = [f"{self.file.kind.noun}: {self.file.name}", str(self.file.path)]
        if self.info.base_model:
            lines.append(f"Base model: {self.info.base_model}")
        if self.info.resolution:
            lines.append(f"Trained at: {self.info.resolution}")
        if self.info.trigger_words:
            lines.append(f"Trigger words: {', '.join(self.info.trigger_words)}")
        if self.info.problem:
            lines.append(self.info.problem)
        return "\n".join(lines)


def read_entries(folders: dict[NetworkKind, Sequence[Path]]) -> list[NetworkEntry]:
    """Every file of every kind with its metadata and thumbnail (on a pool thread)."""
    entries = []
    for kind, kind_folders in folders.items():
        for file in list_networks(kind, kind_folders):
            preview = file.preview_image
            image = read_thumbnail(str(preview), THUMBNAIL_SIDE) if preview else QImage()
            entries.append(NetworkEntry(file, network_info(file), image))
    return entries


class NetworksModel(QAbstractListModel):
    """One row per LoRA or embedding file, LoRAs first, each kind by name."""

    scanned = Signal()  # a scan finished and the rows are current

    def __init__(self, folders: dict[NetworkKind, Sequence[Path]], parent: QObject | None = None):
        super().__init__(parent)
        self._folders = folders
        self._entries: list[NetworkEntry] = []
        self._icons: dict[int, QIcon] = {}

    def rescan(self) -> None:
        folders = dict(self._folders)
        run_in_background(lambda: read_entries(folders), self._set_entries, self._failed, self)

    def _set_entries(self, entries: list[NetworkEntry]) -> None:
        self.beginResetModel()
        self._entries = entries
        self._icons = {}
        self.endResetModel()
        self.scanned.emit()

    def _failed(self, _error: Exception) -> None:
        self._set_entries([])

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.file.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.details()
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(index.row(), entry)
        if role == NetworkRole.ENTRY:
            return entry
        if role == NetworkRole.SEARCH_TEXT:
            return " ".join([entry.file.name, *entry.info.trigger_words])
        if role == NetworkRole.KIND:
            return entry.file.kind.value
        return None

    def _icon(self, row: int, entry: NetworkEntry) -> QIcon | None:
        if entry.thumbnail.isNull():
            return None
        if row not in self._icons:
            self._icons[row] = QIcon(QPixmap.fromImage(entry.thumbnail))
        return self._icons[row]


class NetworksFilter(QSortFilterProxyModel):
    """Rows whose name or trigger words contain the search text, of the chosen kind."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterRole(NetworkRole.SEARCH_TEXT)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._kind = ""

    def set_kind(self, kind: str) -> None:
        """ "lora", "embedding", or "" for both."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+: invalidateFilter is deprecated
            self.beginFilterChange()
            self._kind = kind
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._kind = kind
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._kind:
            index = self.sourceModel().index(source_row, 0, source_parent)
            if index.data(NetworkRole.KIND) != self._kind:
                return False
        return super().filterAcceptsRow(source_row, source_parent)
