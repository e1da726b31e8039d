"""Opening or dropping an image file: init image, or the settings it carries restored."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from sdstudio.engine.metadata import (
    ImageMetadata,
    ImageReadError,
    MetadataSource,
    read_metadata,
    restore_settings,
)
from sdstudio.ui.app_state import AppState
from sdstudio.ui.background import run_in_background
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import apply_restored
from sdstudio.ui.init_image_source import InitImageSource
from sdstudio.ui.parameters_dialog import ParametersDialog


class ImageFileOpener(QObject):
    """Decides what an opened image is for.

    An image without settings becomes the init image (``init_images``), as always. One that
    carries them (sdstudio's, A1111's or ComfyUI's) opens a :class:`ParametersDialog` (on
    ``parent``) that asks; restored settings go into ``controls``. Files are read off the
    GUI thread; only the text chunks are read, not the pixels. Messages go to ``state``.
    No signals: it acts on ``init_images`` and ``controls`` itself.
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
        self.dialog: ParametersDialog | None = None

    @Slot(str)
    def open(self, path: str | Path) -> None:
        """Read ``path``'s settings in the background, then ask or use it as the init image."""
        run_in_background(
            lambda: read_metadata(path),
            lambda metadata: self._on_read(path, metadata),
            lambda error: self._on_unreadable(path, error),
            parent=self,
        )

    @Slot(list)
    def open_first(self, paths: list) -> None:
        if paths:
            self.open(paths[0])

    def _on_read(self, path: str | Path, metadata: ImageMetadata) -> None:
        if not metadata.has_parameters:
            self._init_images.open(path)
        else:
            self._ask(str(path), metadata)

    def _on_unreadable(self, path: str | Path, error: Exception) -> None:
        if not isinstance(error, ImageReadError):
            raise error
        self._init_images.open(path)  # it reports unreadable files too

    @Slot(str)
    def restore_from(self, path: str | Path) -> None:
        """Restore the settings stored in ``path`` (read in the background); a message if
        it has none."""
        run_in_background(
            lambda: read_metadata(path),
            lambda metadata: self.restore(Path(path).name, metadata),
            self._on_restore_failed,
            parent=self,
        )

    def _on_restore_failed(self, error: Exception) -> None:
        if not isinstance(error, ImageReadError):
            raise error
        self._state.error.emit(str(error))

    def restore(self, name: str, metadata: ImageMetadata) -> bool:
        """Put the settings of ``metadata`` into the controls; the status bar says what was
        skipped. False when there is nothing sdstudio can restore."""
        if metadata.source is MetadataSource.COMFYUI:
            self._state.error.emit(
                f"{name} was made with ComfyUI: its settings cannot be restored."
            )
            return False
        restored = restore_settings(metadata)
        if not restored.settings:
            self._state.error.emit(f"{name} carries no settings to restore.")
            return False
        skipped = [*restored.skipped, *apply_restored(self._controls, restored.settings)]
        message = f"Restored the settings of {name}."
        if skipped:
            message = f"{message} Skipped: {'; '.join(skipped)}."
        self._state.tell(message)
        return True

    def _ask(self, path: str, metadata: ImageMetadata) -> None:
        name = Path(path).name
        if self.dialog is not None:
            self.dialog.close()
        dialog = ParametersDialog(name, metadata, self._parent)
        dialog.initChosen.connect(lambda: self._init_images.open(path))
        dialog.restoreChosen.connect(lambda: self.restore(name, metadata))
        dialog.destroyed.connect(lambda: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: ParametersDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
