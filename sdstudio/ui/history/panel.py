"""The History dock: thumbnails of past results, and what can be done with one of them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFile, QModelIndex, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QListView, QVBoxLayout, QWidget

from sdstudio.ui.app_state import AppState
from sdstudio.ui.history.bring_forward import bring_dock_forward
from sdstudio.ui.history.caption_delegate import CaptionDelegate, cell_size
from sdstudio.ui.history.model import HistoryEntry, HistoryModel
from sdstudio.ui.history.thumbnails import THUMBNAIL_SIDE
from sdstudio.ui.worker_events import FinishedImage

GRID_MARGIN = 8


class HistoryPanel(QWidget):
    """``historyList`` (icon mode, each thumbnail captioned with its prompt, seed and time);
    results shown through ``state`` appear at the front, and its dock comes forward if it
    waits behind another tab.

    Clicking an image asks for it on the canvas. The context menu (and the actions, for
    keyboard users) restores its settings (and shows the image), makes it the init image,
    upscales it, opens its folder, copies it, or moves it to the trash. What it cannot do
    itself it asks for by signal, so it needs neither the canvas nor the init image; messages
    go to ``state``. :meth:`add_file` puts a picture saved outside a run (an upscale) first.

    Signals:
        imageChosen(QImage): show this full image (the user clicked an entry).
        restoreRequested(str): restore the settings stored in this image file.
        initImageChosen(QImage, str): use this image (and its name) as the init image.
        initFileChosen(str): use this image file as the init image.
        upscaleRequested(object): upscale this :class:`HistoryEntry`.
    """

    imageChosen = Signal(QImage)
    restoreRequested = Signal(str)
    initImageChosen = Signal(QImage, str)
    initFileChosen = Signal(str)
    upscaleRequested = Signal(object)

    def __init__(
        self, state: AppState, folder: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._state = state
        self.model = HistoryModel(folder, parent=self)
        self.view = QListView(objectName="historyList")
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)  # the view never asks every row for its size
        self.view.setIconSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        self.view.setItemDelegate(CaptionDelegate(self.view))
        self.view.setGridSize(cell_size(self.view.fontMetrics()) + QSize(GRID_MARGIN, GRID_MARGIN))
        self.view.setModel(self.model)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._make_actions()
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.clicked.connect(self.show_image)
        state.resultShown.connect(self.add_result)
        self.model.reload_folder()

    def _make_actions(self) -> None:
        def action(text: str, slot, name: str, keys: QKeySequence | None = None) -> QAction:
            made = QAction(text, self.view, objectName=name)
            made.triggered.connect(slot)
            if keys is not None:
                made.setShortcut(keys)
                made.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(made)
            return made

        self.restore_action = action("Restore Settings", self.restore_settings, "restoreAction")
        self.init_action = action("Use as Init Image", self.use_as_init, "useAsInitAction")
        self.upscale_action = action("Upscale…", self.upscale, "historyUpscaleAction")
        self.open_folder_action = action(
            "Open Containing Folder", self.open_folder, "openFolderAction"
        )
        self.copy_action = action(
            "Copy Image", self.copy_image, "copyImageAction", QKeySequence.StandardKey.Copy
        )
        self.delete_action = action(
            "Move to Trash", self.move_to_trash, "trashAction", QKeySequence.StandardKey.Delete
        )
        self._update_actions(None)

    # -- the chosen entry ----------------------------------------------------------------

    def current_entry(self) -> HistoryEntry | None:
        return self.model.entry(self.view.currentIndex())

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions(self.model.entry(current))

    def _update_actions(self, entry: HistoryEntry | None) -> None:
        on_disk = entry is not None and entry.path is not None
        for each in (self.restore_action, self.open_folder_action, self.delete_action):
            each.setEnabled(on_disk)
        for each in (self.init_action, self.upscale_action, self.copy_action):
            each.setEnabled(entry is not None)

    @Slot(object)
    def add_result(self, result: FinishedImage) -> None:
        self.model.add_result(result)
        bring_dock_forward(self)

    def add_file(self, path: Path) -> None:
        """List the picture saved at ``path`` first (its caption is read from the file)."""
        self.model.add_file(path)
        bring_dock_forward(self)

    @Slot(QModelIndex)
    def show_image(self, index: QModelIndex) -> None:
        entry = self.model.entry(index)
        image = self._readable_image(entry)
        if image is not None:
            self.imageChosen.emit(image)

    def _readable_image(self, entry: HistoryEntry | None) -> QImage | None:
        """The entry's full image, or None (with a message when its file cannot be read)."""
        if entry is None:
            return None
        image = entry.full_image()
        if image.isNull():
            self._state.error.emit(f"Cannot read {entry.name}; it may have been moved.")
            return None
        return image

    # -- actions -------------------------------------------------------------------------

    @Slot()
    def restore_settings(self) -> None:
        """Ask for the settings stored in the chosen image, and show the image they made."""
        entry = self.current_entry()
        if entry is None or entry.path is None:
            return
        image = self._readable_image(entry)  # None, with a message, if the file went
        if image is not None:
            self.imageChosen.emit(image)
            self.restoreRequested.emit(str(entry.path))

    @Slot()
    def use_as_init(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        if entry.result is not None:
            self.initImageChosen.emit(entry.result.image, entry.name)
        elif entry.path is not None:
            self.initFileChosen.emit(str(entry.path))

    @Slot()
    def upscale(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.upscaleRequested.emit(entry)

    @Slot()
    def open_folder(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.path is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(entry.path.parent))):
            self._state.error.emit(f"Could not open the folder {entry.path.parent}")

    @Slot()
    def copy_image(self) -> None:
        entry = self.current_entry()
        image = self._readable_image(entry)
        if image is not None:
            QGuiApplication.clipboard().setImage(image)
            self._state.tell(f"Copied {entry.name}", 5000)

    @Slot()
    def move_to_trash(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.path is None:
            return
        if not QFile(str(entry.path)).moveToTrash():
            self._state.error.emit(
                f"Could not move {entry.name} to the trash (this system may have none); "
                "the file was kept."
            )
            return
        self.model.remove_path(entry.path)
        self._state.tell(f"Moved {entry.name} to the trash", 5000)

    def shutdown(self) -> None:
        """Stop reading thumbnails (call before the window goes)."""
        self.model.shutdown()
