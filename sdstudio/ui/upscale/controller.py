"""Upscaling pictures from the window: "Upscale…" on the canvas and on a history item, and the
"Upscalers…" list."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QImage, QImageReader
from PySide6.QtWidgets import QWidget

from sdstudio.engine.paths import upscalers_dir
from sdstudio.ui.app_state import AppState
from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.history import HistoryEntry, HistoryPanel
from sdstudio.ui.upscale.catalog import UpscalerCatalog
from sdstudio.ui.upscale.list_dialog import UpscalersDialog
from sdstudio.ui.upscale.runner import UpscaleRunner
from sdstudio.ui.upscale.upscale_dialog import UpscaleDialog
from sdstudio.ui.upscale.upscale_job import UpscaleChoice, UpscaledPicture, UpscaleSource
from sdstudio.ui.worker_events import FinishedImage

KNOWN_PICTURES = 256  # files remembered for pictures shown on the canvas
CANVAS_PICTURE = "the picture on the canvas"


@dataclass(frozen=True)
class _Known:
    path: Path | None
    seed: int | None


class UpscaleController(QObject):
    """Opens ``upscaleDialog`` for the canvas's picture (:meth:`upscale_canvas`) or a history
    entry (:meth:`upscale_entry`) and runs the upscale with :class:`UpscaleRunner`
    (``runner.progress`` belongs in the status bar); :meth:`open_list` shows
    ``upscalersDialog``. A picture shown on the canvas is upscaled from its file when the
    window showed it from one (a result, a history image, an earlier upscale), so that its
    parameters carry over.

    ``refine_tile()`` is the tile side the dialog offers for a refinement (A1111's "SD
    upscale"), or None while no model can refine (none here, no server); a refinement
    chosen there is not run here but asked for with :attr:`refineRequested`, for the window
    to queue as a job.

    Signals:
        upscaled(object): an :class:`UpscaledPicture` was saved (show it, list it).
        refineRequested(object, object): the :class:`UpscaleSource` and the
            :class:`UpscaleChoice` (with its ``refine``) of an SD upscale to queue.
    """

    upscaled = Signal(object)
    refineRequested = Signal(object, object)

    def __init__(
        self,
        catalog: UpscalerCatalog,
        state: AppState,
        output_dir: Callable[[], Path | None],
        device: str,
        parent: QWidget,
        refine_tile: Callable[[], int | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._refine_tile = refine_tile
        self._state = state
        self.catalog = catalog
        self.runner = UpscaleRunner(state, output_dir, device, self)
        self.runner.upscaled.connect(self._on_upscaled)
        self.catalog.failed.connect(state.error)
        self._known: OrderedDict[int, _Known] = OrderedDict()
        self._shown = QImage()
        self._history: HistoryPanel | None = None
        self.dialog: UpscaleDialog | None = None
        self.list_dialog: UpscalersDialog | None = None

    def watch(self, canvas: CanvasView, history: HistoryPanel, canvas_action: QAction) -> None:
        """Follow what ``canvas`` shows (enabling ``canvas_action`` while it shows a
        picture), and where results and ``history``'s images come from."""
        self._history = history
        canvas_action.setEnabled(canvas.has_image())
        canvas.imageShown.connect(self._on_shown)
        canvas.imageShown.connect(lambda image: canvas_action.setEnabled(not image.isNull()))
        self._state.resultShown.connect(self._on_result)
        history.imageChosen.connect(self._on_history_image)
        history.upscaleRequested.connect(self.upscale_entry)

    def remember(self, image: QImage, path: Path | None, seed: int | None = None) -> None:
        """``image`` (and its copies) came from ``path``, made with ``seed``."""
        self._known[image.cacheKey()] = _Known(path, seed)
        self._known.move_to_end(image.cacheKey())
        while len(self._known) > KNOWN_PICTURES:
            self._known.popitem(last=False)

    # -- sources -------------------------------------------------------------------------

    def canvas_source(self) -> UpscaleSource | None:
        """The picture on the canvas, from its file when it has one; None when it is empty."""
        image = self._shown
        if image.isNull():
            return None
        known = self._known.get(image.cacheKey(), _Known(None, None))
        name = known.path.name if known.path is not None else CANVAS_PICTURE
        return UpscaleSource(name, image.width(), image.height(), known.path, image, known.seed)

    def entry_source(self, entry: HistoryEntry) -> UpscaleSource | None:
        """A history entry's picture; None (with a message) when its file cannot be read."""
        seed = entry.result.seed if entry.result is not None else None
        if entry.path is None:
            image = entry.full_image()
            return UpscaleSource(entry.name, image.width(), image.height(), None, image, seed)
        size = QImageReader(str(entry.path)).size()  # the header only
        if not size.isValid():
            self._state.error.emit(f"Cannot read {entry.name}; it may have been moved.")
            return None
        return UpscaleSource(entry.name, size.width(), size.height(), entry.path, None, seed)

    # -- actions -------------------------------------------------------------------------

    @Slot()
    def upscale_canvas(self) -> UpscaleDialog | None:
        source = self.canvas_source()
        if source is None:
            self._state.error.emit("There is no picture on the canvas to upscale.")
            return None
        return self.ask(source)

    @Slot(object)
    def upscale_entry(self, entry: HistoryEntry) -> UpscaleDialog | None:
        source = self.entry_source(entry)
        return self.ask(source) if source is not None else None

    def ask(self, source: UpscaleSource) -> UpscaleDialog:
        """The dialog for ``source``; accepting it starts the upscale."""
        if self.dialog is not None:
            self.dialog.close()
        dialog = UpscaleDialog(source, self.catalog, self._parent, self._refine_tile())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda choice: self._start(source, choice))
        dialog.destroyed.connect(lambda: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _start(self, source: UpscaleSource, choice: UpscaleChoice) -> None:
        if choice.refine is not None:
            self.refineRequested.emit(source, choice)
        else:
            self.runner.start(source, choice)

    @Slot()
    def open_list(self) -> UpscalersDialog:
        if self.list_dialog is not None:
            self.list_dialog.raise_()
            self.list_dialog.refresh()
            return self.list_dialog
        dialog = UpscalersDialog(self.catalog, upscalers_dir(), self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.failed.connect(self._state.error)
        dialog.destroyed.connect(lambda: self._forget_list(dialog))
        self.list_dialog = dialog
        dialog.show()
        return dialog

    def shutdown(self) -> None:
        self.runner.shutdown()

    # -- what happened -------------------------------------------------------------------

    @Slot(QImage)
    def _on_shown(self, image: QImage) -> None:
        self._shown = image

    @Slot(object)
    def _on_result(self, result: FinishedImage) -> None:
        self.remember(result.image, result.path, result.seed)

    @Slot(QImage)
    def _on_history_image(self, image: QImage) -> None:
        entry = self._history.current_entry() if self._history is not None else None
        if entry is not None and entry.path is not None:
            seed = entry.result.seed if entry.result is not None else None
            self.remember(image, entry.path, seed)

    def _on_upscaled(self, picture: UpscaledPicture) -> None:
        self.remember(picture.image, picture.path)
        self.upscaled.emit(picture)

    def _forget_dialog(self, dialog: UpscaleDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _forget_list(self, dialog: UpscalersDialog) -> None:
        if self.list_dialog is dialog:
            self.list_dialog = None
