"""The job queue as a list model: one row per job, in the order they will run.

Rows are dragged to reorder pending jobs (a move, never a copy); a job that has started
stays where it is. The runner changes states and progress through the methods here, and the
view only reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

from sdstudio.engine.jobs.queue_file import QueuedJob
from sdstudio.engine.upscalers import target_size

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
MIME_TYPE = "application/x-sdstudio-queue-rows"
THUMBNAIL_SIDE = 48
PROMPT_CHARS = 60
FINISHED_STATES = ("done", "failed", "cancelled")


class QueueRole(IntEnum):
    JOB_ID = Qt.ItemDataRole.UserRole + 1  # str
    STATE = Qt.ItemDataRole.UserRole + 2  # "pending", "running", "done", "failed", "cancelled"
    QUEUED = Qt.ItemDataRole.UserRole + 3  # the QueuedJob
    WHERE = Qt.ItemDataRole.UserRole + 4  # "local" or "server": where the job runs


@dataclass
class QueueRow:
    """A job and what the panel shows about it besides its settings."""

    queued: QueuedJob
    progress: float = 0.0  # of the running job, 0..1
    thumbnail: QIcon | None = None
    message: str = ""  # why it failed, where it was saved

    @property
    def where(self) -> str:
        """Where the job runs: "server" when it was sent to one (``queued.server``), else
        "local"."""
        return "server" if self.queued.server else "local"

    @property
    def job_id(self) -> str:
        return self.queued.job.id

    @property
    def state(self) -> str:
        return self.queued.state


def describe(row: QueueRow) -> str:
    """Two lines: the prompt, then size, steps, seed, "server" for a job sent to the
    server, and state (with progress)."""
    request = row.queued.job.request
    prompt = " ".join(request.prompt.split()) or "(no prompt)"
    if len(prompt) > PROMPT_CHARS:
        prompt = prompt[: PROMPT_CHARS - 1] + "…"
    state = row.state
    if state == "running":
        state = f"running {row.progress * 100:.0f}%"
    images = request.image_count
    count = f" · {images} images" if images > 1 else ""
    size = f"{request.width}×{request.height}"
    stage = row.queued.job.sd_upscale
    if stage is not None and request.init_image is not None:
        width, height = target_size(request.init_image.size, stage.scale)
        size = f"SD upscale ×{stage.scale:g} ({stage.upscaler}) to {width}×{height}, "
        size += f"{request.width}px tiles"
    details = f"{size} · {request.steps} steps · seed {request.seed}"
    where = " · server" if row.where == "server" else ""
    return f"{prompt}\n{details}{count}{where} · {state}"


class JobQueueModel(QAbstractListModel):
    """Rows of :class:`QueueRow`, first to run first.

    Signals:
        changed(): the jobs, their order or a state changed (not progress): time to save.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []
        self._placeholder = _placeholder_icon()  # every row as tall as one with a thumbnail

    # -- Qt's list-model API -------------------------------------------------------------

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return describe(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            request = row.queued.job.request
            model = f"Model: {row.queued.model}"
            server = row.queued.server
            runs = f"Runs on the server at {server}" if server else f"Runs here (local), {model}"
            lines = [request.prompt or "(no prompt)", runs]
            return "\n".join([*lines, row.message] if row.message else lines)
        if role == Qt.ItemDataRole.DecorationRole:
            return row.thumbnail or self._placeholder
        if role == QueueRole.JOB_ID:
            return row.job_id
        if role == QueueRole.STATE:
            return row.state
        if role == QueueRole.QUEUED:
            return row.queued
        if role == QueueRole.WHERE:
            return row.where
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._rows[index.row()].state == "pending":
            base |= Qt.ItemFlag.ItemIsDragEnabled
        return base

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        ids = [self._rows[index.row()].job_id for index in indexes if index.isValid()]
        mime = QMimeData()
        mime.setData(MIME_TYPE, QByteArray("\n".join(ids).encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(MIME_TYPE)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """Move the dragged jobs to ``row`` (or onto ``parent``'s row); the view is told
        the move is done, so it removes nothing itself."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        target = row if row >= 0 else parent.row() if parent.isValid() else len(self._rows)
        ids = bytes(data.data(MIME_TYPE).data()).decode().split("\n")
        for job_id in ids:
            source = self.row_of(job_id)
            if source < 0:
                continue
            self.move(job_id, target)
            target = self.row_of(job_id) + 1
        return False  # the rows moved; a True would make the view delete the source rows

    def moveRows(
        self, source_parent: Index, source_row: int, count: int, parent: Index, child: int
    ) -> bool:
        if source_parent.isValid() or parent.isValid() or count != 1:
            return False
        if not 0 <= source_row < len(self._rows) or not 0 <= child <= len(self._rows):
            return False
        if child in (source_row, source_row + 1):
            return False
        if not self.beginMoveRows(NO_PARENT, source_row, source_row, NO_PARENT, child):
            return False
        row = self._rows.pop(source_row)
        self._rows.insert(child - 1 if child > source_row else child, row)
        self.endMoveRows()
        self.changed.emit()
        return True

    # -- what the runner and the panel use ----------------------------------------------

    def rows(self) -> list[QueueRow]:
        return list(self._rows)

    def jobs(self) -> list[QueuedJob]:
        return [row.queued for row in self._rows]

    def row_of(self, job_id: str) -> int:
        return next((n for n, row in enumerate(self._rows) if row.job_id == job_id), -1)

    def get(self, job_id: str) -> QueueRow | None:
        number = self.row_of(job_id)
        return self._rows[number] if number >= 0 else None

    def add(self, queued: QueuedJob) -> None:
        end = len(self._rows)
        self.beginInsertRows(NO_PARENT, end, end)
        self._rows.append(QueueRow(queued))
        self.endInsertRows()
        self.changed.emit()

    def remove(self, job_id: str) -> bool:
        number = self.row_of(job_id)
        if number < 0:
            return False
        self.beginRemoveRows(NO_PARENT, number, number)
        del self._rows[number]
        self.endRemoveRows()
        self.changed.emit()
        return True

    def move(self, job_id: str, to_row: int) -> bool:
        """Put a pending job before row ``to_row`` (``rowCount()``: last), never above a
        job that has already started."""
        number = self.row_of(job_id)
        if number < 0 or self._rows[number].state != "pending":
            return False
        started = [n for n, row in enumerate(self._rows) if row.state != "pending"]
        lowest = max((n for n in started if n < number), default=-1) + 1
        to_row = max(lowest, min(to_row, len(self._rows)))
        return self.moveRows(NO_PARENT, number, 1, NO_PARENT, to_row)

    def next_pending(self) -> QueuedJob | None:
        return next((row.queued for row in self._rows if row.state == "pending"), None)

    def set_state(self, job_id: str, state: str, message: str | None = None) -> None:
        number = self.row_of(job_id)
        if number < 0:
            return
        row = self._rows[number]
        row.queued = replace(row.queued, state=state)
        if state == "running":
            row.progress = 0.0
        if message is not None:
            row.message = message
        self._changed_row(number)
        self.changed.emit()

    def set_progress(self, job_id: str, fraction: float) -> None:
        number = self.row_of(job_id)
        if number >= 0 and round(self._rows[number].progress * 100) != round(fraction * 100):
            self._rows[number].progress = fraction
            self._changed_row(number)

    def set_thumbnail(self, job_id: str, image: QImage) -> None:
        number = self.row_of(job_id)
        if number < 0 or image.isNull():
            return
        small = image.scaled(
            THUMBNAIL_SIDE,
            THUMBNAIL_SIDE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self._rows[number].thumbnail = QIcon(QPixmap.fromImage(small))
        self._changed_row(number)

    def count(self, state: str) -> int:
        return sum(1 for row in self._rows if row.state == state)

    def _changed_row(self, number: int) -> None:
        index = self.index(number)
        self.dataChanged.emit(index, index)


def _placeholder_icon() -> QIcon:
    pixmap = QPixmap(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    pixmap.fill(QColor(128, 128, 128, 48))
    return QIcon(pixmap)
