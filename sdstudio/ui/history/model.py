"""The history as a list model: this session's results first, then the output folder's images.

Folder images are listed by name only and handed to the view a page at a time
(``canFetchMore``/``fetchMore``); a thumbnail is read in the background the first time the
view asks for one, so only images that are actually shown are ever decoded; its caption
(prompt, seed, time) is read with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

from sdstudio.engine.metadata import list_saved_images
from sdstudio.ui.history.caption import Caption
from sdstudio.ui.history.thumbnails import THUMBNAIL_SIDE, ThumbnailLoader
from sdstudio.ui.worker_events import FinishedImage

PAGE_SIZE = 120
Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()  # the default argument Qt's signatures use


class HistoryRole(IntEnum):
    PATH = Qt.ItemDataRole.UserRole + 1  # str, or "" for a result that could not be saved
    ENTRY = Qt.ItemDataRole.UserRole + 2  # the HistoryEntry
    CAPTION = Qt.ItemDataRole.UserRole + 3  # its Caption, None until the file was read


@dataclass(frozen=True)
class HistoryEntry:
    """One image of the history; ``result`` (and ``made``) is set for images made in this
    session."""

    path: Path | None
    result: FinishedImage | None = None
    made: datetime | None = None

    @property
    def key(self) -> str:
        """What its thumbnail and caption are kept under."""
        return str(self.path) if self.path else f"result-{id(self.result)}"

    @property
    def name(self) -> str:
        if self.path is not None:
            return self.path.name
        return f"seed {self.result.seed} (not saved)" if self.result else "image"

    def full_image(self) -> QImage:
        """The image at full size (read from disk for folder images; null if unreadable)."""
        if self.result is not None:
            return self.result.image
        return QImage(str(self.path)) if self.path is not None else QImage()

    def own_caption(self) -> Caption | None:
        """The caption of an image made in this session (a folder image's is read)."""
        if self.result is None:
            return None
        return Caption(self.result.request.prompt, self.result.seed, self.made)


class HistoryModel(QAbstractListModel):
    """Rows of :class:`HistoryEntry`, newest first; thumbnails as the decoration, the
    caption's two lines as the text."""

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder = folder
        self._entries: list[HistoryEntry] = []
        self._unfetched: list[Path] = []
        self._icons: dict[str, QIcon] = {}
        self._captions: dict[str, Caption] = {}
        self._placeholder = _placeholder_icon()
        self.thumbnails = ThumbnailLoader(parent=self)
        self.thumbnails.captioned.connect(self._on_caption)
        self.thumbnails.loaded.connect(self._on_thumbnail)

    # -- Qt's list-model API -------------------------------------------------------------

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(entry)
        if role == Qt.ItemDataRole.DisplayRole:
            caption = self.caption(entry)
            if caption is None:
                return entry.name
            return "\n".join(filter(None, (caption.first_line(entry.name), caption.second_line())))
        if role == Qt.ItemDataRole.ToolTipRole:
            caption = self.caption(entry)
            name = str(entry.path) if entry.path else entry.name
            return caption.tooltip(name) if caption is not None else name
        if role == HistoryRole.CAPTION:
            return self.caption(entry)
        if role == HistoryRole.PATH:
            return str(entry.path) if entry.path else ""
        if role == HistoryRole.ENTRY:
            return entry
        return None

    def canFetchMore(self, parent: Index = NO_PARENT) -> bool:
        return not parent.isValid() and bool(self._unfetched)

    def fetchMore(self, parent: Index = NO_PARENT) -> None:
        if parent.isValid() or not self._unfetched:
            return
        page, self._unfetched = self._unfetched[:PAGE_SIZE], self._unfetched[PAGE_SIZE:]
        first = len(self._entries)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._entries.extend(HistoryEntry(path) for path in page)
        self.endInsertRows()

    # -- changes -------------------------------------------------------------------------

    def reload_folder(self) -> None:
        """List the output folder again (names only); this session's results stay first."""
        session = [entry for entry in self._entries if entry.result is not None]
        known = {entry.path for entry in session}
        self.beginResetModel()
        self._entries = session
        listed = [path for path in list_saved_images(self._folder) if path not in known]
        self._entries.extend(HistoryEntry(path) for path in listed[:PAGE_SIZE])
        self._unfetched = listed[PAGE_SIZE:]
        self.endResetModel()

    def add_result(self, result: FinishedImage) -> None:
        """A new result goes first; a folder row for the same file is dropped."""
        if result.path is not None:
            self.remove_path(result.path)
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._entries.insert(0, HistoryEntry(result.path, result, datetime.now()))
        self.endInsertRows()

    def add_file(self, path: Path) -> None:
        """A picture saved outside a run goes first, read from its file like the folder's."""
        self.remove_path(path)
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._entries.insert(0, HistoryEntry(path, made=datetime.now()))
        self.endInsertRows()

    def remove_path(self, path: Path) -> None:
        """Forget the image at ``path`` (deleted, or about to be listed again)."""
        self._unfetched = [each for each in self._unfetched if each != path]
        for row, entry in enumerate(self._entries):
            if entry.path == path:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._entries[row]
                self.endRemoveRows()
                self._icons.pop(str(path), None)
                self._captions.pop(str(path), None)
                self.thumbnails.forget(str(path))
                return

    def entry(self, index: Index) -> HistoryEntry | None:
        return self.data(index, HistoryRole.ENTRY)

    def caption(self, entry: HistoryEntry) -> Caption | None:
        return entry.own_caption() or self._captions.get(entry.key)

    def shutdown(self) -> None:
        self.thumbnails.shutdown()

    # -- thumbnails ----------------------------------------------------------------------

    def _icon(self, entry: HistoryEntry) -> QIcon:
        key = entry.key
        icon = self._icons.get(key)
        if icon is not None:
            return icon
        if entry.result is not None:  # in memory already: scaling one image is cheap
            icon = QIcon(QPixmap.fromImage(_scaled(entry.result.image)))
            self._icons[key] = icon
            return icon
        self.thumbnails.request(key)
        return self._placeholder

    @Slot(str, object)
    def _on_caption(self, path: str, caption: Caption) -> None:
        self._captions[path] = caption  # shown with the thumbnail that follows at once

    @Slot(str, QImage)
    def _on_thumbnail(self, path: str, image: QImage) -> None:
        self._icons[path] = QIcon(QPixmap.fromImage(image)) if not image.isNull() else QIcon()
        for row, entry in enumerate(self._entries):
            if entry.path is not None and str(entry.path) == path:
                index = self.index(row)
                roles = [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole]
                self.dataChanged.emit(index, index, [*roles, Qt.ItemDataRole.ToolTipRole])
                return


def _scaled(image: QImage) -> QImage:
    return image.scaled(
        THUMBNAIL_SIDE,
        THUMBNAIL_SIDE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _placeholder_icon() -> QIcon:
    pixmap = QPixmap(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    pixmap.fill(QColor(128, 128, 128, 60))
    return QIcon(pixmap)
