"""Opening or dropping an image file: init image, or the settings it carries restored."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from sdstudio.engine.metadata import (
    ImageMetadata,
    ImageReadError,
    RestoredSettings,
    read_metadata,
)
from sdstudio.ui.app_state import AppState
from sdstudio.ui.background import run_in_background
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.init_image_source import InitImageSource
from sdstudio.ui.parameters_dialog import ParametersDialog
from sdstudio.ui.settings_restorer import SettingsRestorer, prepare_quickly

log = logging.getLogger(__name__)


class ImageFileOpener(QObject):
    """Decides what an opened image is for.

    An image without settings becomes the init image (``init_images``), as always. One that
    carries them (sdstudio's, A1111's or ComfyUI's) opens a :class:`ParametersDialog` (on
    ``parent``) that asks; restored settings go into ``controls`` through ``restorer`` (a
    :class:`SettingsRestorer`). Nothing slow runs on the GUI thread: files are read in the
    background (only the text chunks, not the pixels), and so are the restored settings
    worked out, LoRAs found by hash included; the newest file opened or restored wins.
    Messages go to ``state``. No signals: it acts on ``init_images`` and ``controls`` itself.
    """

    def __init__(
        self,
        init_images: InitImageSource,
        controls: ControlsPanel,
        state: AppState,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._init_images = init_images
        self._controls = controls
        self._state = state
        self.restorer = SettingsRestorer(controls, state, self)
        self.dialog: ParametersDialog | None = None
        self._opening = 0  # the newest open()'s number: an older file read later is dropped

    @Slot(str)
    def open(self, path: str | Path) -> None:
        """Read ``path``'s settings in the background, then ask or use it as the init image.

        The settings are worked out in the same job when that needs no LoRA hashed, so
        choosing to restore them sets the controls at once; else that runs in the background
        once chosen."""
        self._opening += 1
        number = self._opening

        def read() -> tuple[ImageMetadata, RestoredSettings | None]:
            metadata = read_metadata(path)
            return metadata, prepare_quickly(metadata)

        run_in_background(
            read,
            lambda result: self._on_read(number, path, *result),
            lambda error: self._on_unreadable(number, path, error),
            parent=self,
        )

    @Slot(list)
    def open_first(self, paths: list) -> None:
        if paths:
            self.open(paths[0])

    def _on_read(
        self,
        number: int,
        path: str | Path,
        metadata: ImageMetadata,
        prepared: RestoredSettings | None,
    ) -> None:
        if number != self._opening:
            return  # another file was opened meanwhile
        if not metadata.has_parameters:
            self._init_images.open(path)
        else:
            self._ask(str(path), metadata, prepared)

    def _on_unreadable(self, number: int, path: str | Path, error: Exception) -> None:
        if number != self._opening:
            return
        if not isinstance(error, ImageReadError):
            log.warning("Reading %s failed", path, exc_info=error)
            self._state.error.emit(f"Could not read {Path(path).name}: {error}")
            return
        self._init_images.open(path)  # it reports unreadable files too

    @Slot(str)
    def restore_from(self, path: str | Path) -> None:
        """Restore the settings stored in ``path`` (read and worked out in the background);
        a message if it has none."""
        self.restorer.restore_file(path)

    def restore(
        self, name: str, metadata: ImageMetadata, prepared: RestoredSettings | None = None
    ) -> None:
        """Put the settings of ``metadata`` into the controls (at once when ``prepared``,
        else once worked out in the background); the status bar says what was skipped, or
        why nothing could be restored."""
        self.restorer.restore(name, metadata, prepared)

    def _ask(self, path: str, metadata: ImageMetadata, prepared: RestoredSettings | None) -> None:
        name = Path(path).name
        if self.dialog is not None:
            self.dialog.close()
        dialog = ParametersDialog(name, metadata, self._parent)
        dialog.initChosen.connect(lambda: self._init_images.open(path))
        dialog.restoreChosen.connect(lambda: self.restore(name, metadata, prepared))
        dialog.destroyed.connect(lambda: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: ParametersDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
