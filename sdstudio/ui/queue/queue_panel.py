"""The queue panel: the jobs in run order, with pause/resume, remove, run again, cancel all."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sdstudio.ui.queue.queue_model import FINISHED_STATES, THUMBNAIL_SIDE, QueueRole
from sdstudio.ui.queue.queue_runner import QueueRunner


class QueuePanel(QWidget):
    """``queueList`` (drag to reorder pending jobs, Delete removes), ``queuePauseButton``
    (Pause/Resume), ``queueRemoveButton``, ``queueRunAgainButton``,
    ``queueCancelAllButton``, ``queueClearButton`` and ``queueStatusLabel``.

    Cancelling the running job alone is the run bar's Cancel (Esc). No signals.
    """

    def __init__(self, runner: QueueRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self._runner = runner
        self.list = QListView(objectName="queueList")
        self.list.setModel(runner.model)
        self.list.setIconSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)  # a placeholder keeps every row thumbnail-high
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setDragDropOverwriteMode(False)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._show_menu)
        self.status_label = QLabel(objectName="queueStatusLabel")
        self.pause_button = QPushButton("Pause", objectName="queuePauseButton")
        self.pause_button.setToolTip("Start no new job until Resume; the running one finishes")
        self.remove_button = QPushButton("Remove", objectName="queueRemoveButton")
        self.remove_button.setToolTip("Take the selected job out of the queue (Delete)")
        self.run_again_button = QPushButton("Run again", objectName="queueRunAgainButton")
        self.run_again_button.setToolTip("Queue the selected job again, with the same settings")
        self.cancel_all_button = QPushButton("Cancel all", objectName="queueCancelAllButton")
        self.cancel_all_button.setToolTip("Cancel the running job and every waiting one")
        self.clear_button = QPushButton("Clear finished", objectName="queueClearButton")
        self.clear_button.setToolTip("Remove done, failed and cancelled jobs from the list")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.pause_button, self.remove_button, self.run_again_button):
            buttons.addWidget(button)
        more = QHBoxLayout()
        more.setContentsMargins(0, 0, 0, 0)
        more.addWidget(self.cancel_all_button)
        more.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(more)
        self._actions_row = QHBoxLayout()  # the window's queueing actions (add_action)
        self._actions_row.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._actions_row)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.remove_button.clicked.connect(self.remove_selected)
        self.run_again_button.clicked.connect(self.run_selected_again)
        self.cancel_all_button.clicked.connect(runner.cancel_all)
        self.clear_button.clicked.connect(runner.clear_finished)
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.list,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        runner.pausedChanged.connect(self._update)
        runner.model.changed.connect(self._update)
        runner.model.dataChanged.connect(self._update)
        self.list.selectionModel().selectionChanged.connect(self._update)
        self._update()

    def add_action(self, action: QAction) -> QToolButton:
        """A button for ``action`` under the others ("Queue prompts from file…")."""
        button = QToolButton(objectName=f"{action.objectName()}Button")
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._actions_row.addWidget(button)
        self._actions_row.addStretch(1)
        return button

    def selected_job(self) -> str | None:
        return self._selected(QueueRole.JOB_ID)

    def _selected(self, role: QueueRole) -> str | None:
        indexes = self.list.selectionModel().selectedIndexes()
        return str(indexes[0].data(role)) if indexes else None

    @Slot()
    def remove_selected(self) -> None:
        job_id = self.selected_job()
        if job_id is not None:
            self._runner.remove(job_id)

    @Slot()
    def run_selected_again(self) -> None:
        job_id = self.selected_job()
        if job_id is not None:
            self._runner.run_again(job_id)

    @Slot()
    def _toggle_pause(self) -> None:
        if self._runner.paused:
            self._runner.resume()
        else:
            self._runner.pause()

    @Slot()
    def _update(self) -> None:
        runner = self._runner
        model = runner.model
        waiting = runner.pending_count()
        running = model.count("running")
        parts = [f"{waiting} waiting"] if waiting else ["Nothing waiting"]
        if running:
            parts.insert(0, "1 running")
        if runner.paused:
            parts.append("paused")
        self.status_label.setText(" · ".join(parts))
        self.pause_button.setText("Resume" if runner.paused else "Pause")
        chosen = self._selected(QueueRole.STATE) is not None
        self.remove_button.setEnabled(chosen)
        self.run_again_button.setEnabled(chosen)
        self.cancel_all_button.setEnabled(bool(waiting or running))
        self.clear_button.setEnabled(any(model.count(each) for each in FINISHED_STATES))

    @Slot(QPoint)
    def _show_menu(self, position: QPoint) -> None:
        index = self.list.indexAt(position)
        if not index.isValid():
            return
        job_id = str(index.data(QueueRole.JOB_ID))
        menu = QMenu(self)
        menu.addAction("Run Again", lambda: self._runner.run_again(job_id))
        if index.data(QueueRole.STATE) == "pending":
            menu.addAction("Move to Top", lambda: self._runner.model.move(job_id, 0))
        menu.addAction("Remove", lambda: self._runner.remove(job_id))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.list.viewport().mapToGlobal(position))
