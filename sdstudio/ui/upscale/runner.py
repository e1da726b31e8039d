"""Running one upscale at a time off the GUI thread, cancellable between tiles, with its
progress in the status bar."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.upscalers import UpscaleCancelled
from sdstudio.engine.upscalers.upscale import target_size
from sdstudio.ui.app_state import AppState
from sdstudio.ui.background import run_in_background
from sdstudio.ui.upscale.upscale_job import (
    UpscaleChoice,
    UpscaledPicture,
    UpscaleSource,
    upscale_source,
)


class _TileRelay(QObject):
    """Carries tile counts from the pool thread to the GUI thread (a queued signal).

    Signals:
        tile(int, int): tiles done, tiles in all.
    """

    tile = Signal(int, int)

    def report(self, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):  # the window went while the job ran
            self.tile.emit(done, total)


class UpscaleProgress(QWidget):
    """``upscaleProgress`` for the status bar: ``upscaleProgressBar`` (busy until the tiles
    are counted) and ``cancelUpscaleButton``; hidden while nothing is upscaled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("upscaleProgress")
        self.bar = QProgressBar(objectName="upscaleProgressBar")
        self.bar.setMaximumWidth(120)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(objectName="cancelUpscaleButton", text="Cancel")
        self.cancel_button.setToolTip("Stop the upscale (after the tile it is on)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def start(self) -> None:
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    @Slot(int, int)
    def show_tiles(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)


class UpscaleRunner(QObject):
    """Runs :func:`upscale_source` with a cancel token; messages go to ``state``, the result
    to :attr:`upscaled`. ``progress`` is the status bar's widget.

    Signals:
        upscaled(object): the saved :class:`UpscaledPicture`.
    """

    upscaled = Signal(object)

    def __init__(
        self,
        state: AppState,
        output_dir: Callable[[], Path | None],
        device: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._output_dir = output_dir
        self._device = device
        self._cancel: CancelToken | None = None
        self._name = ""
        self._relay = _TileRelay(self)
        self.progress = UpscaleProgress()
        self._relay.tile.connect(self.progress.show_tiles)
        self._relay.tile.connect(self._on_tile)
        self.progress.cancel_button.clicked.connect(self.cancel)

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, source: UpscaleSource, choice: UpscaleChoice) -> bool:
        """Upscale ``source`` in the background; False (with a message) while one runs."""
        if self._cancel is not None:
            self._state.error.emit(
                "An upscale is already running: wait for it, or cancel it first."
            )
            return False
        cancel = self._cancel = CancelToken()
        self._name = source.name
        width, height = target_size((source.width, source.height), choice.scale)
        folder, device, relay = self._output_dir(), self._device, self._relay
        self.progress.start()
        self._state.tell(f"Upscaling {source.name} with {choice.upscaler} to {width}×{height}…")
        run_in_background(
            lambda: upscale_source(source, choice, folder, device, cancel, relay.report),
            self._on_done,
            self._on_failed,
            parent=self,
        )
        return True

    @Slot()
    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()
            self.progress.cancel_button.setEnabled(False)
            self._state.tell("Cancelling the upscale…")

    def shutdown(self) -> None:
        """Stop a running upscale at its next tile (call before the window goes)."""
        if self._cancel is not None:
            self._cancel.cancel()

    @Slot(int, int)
    def _on_tile(self, done: int, total: int) -> None:
        if self._cancel is not None and not self._cancel.cancelled and total > 1:
            self._state.tell(f"Upscaling {self._name}: tile {done}/{total}…")

    def _finish(self) -> None:
        self._cancel = None
        self.progress.setVisible(False)

    def _on_done(self, picture: UpscaledPicture) -> None:
        self._finish()
        size = f"{picture.image.width()}×{picture.image.height()}"
        self._state.tell(f"Saved the upscaled picture ({size}) to {picture.path}")
        self.upscaled.emit(picture)

    def _on_failed(self, error: Exception) -> None:
        self._finish()
        if isinstance(error, UpscaleCancelled):
            self._state.tell("Upscale cancelled.", 5000)
        elif isinstance(error, UserFacingError):
            self._state.error.emit(str(error))
        elif isinstance(error, OSError):
            self._state.error.emit(f"Could not save the upscaled picture: {error}")
        else:
            raise error
