"""Opening or dropping an image file: init image, or the settings it carries restored."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from sdstudio.engine.metadata import (
    ImageMetadata,
    ImageReadError,
    MetadataSource,
    read_metadata,
    restore_settings,
)
from sdstudio.ui.controls_state import apply_restored
from sdstudio.ui.parameters_dialog import ParametersDialog
from sdstudio.ui.qt import asyncSlot

if TYPE_CHECKING:
    from sdstudio.ui.main_window import MainWindow


class ImageFileOpener(QObject):
    """Decides what an opened image is for.

    An image without settings becomes the init image, as always. One that carries them
    (sdstudio's, A1111's or ComfyUI's) opens a :class:`ParametersDialog` that asks. Files are
    read off the GUI thread; only the text chunks are read, not the pixels.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.dialog: ParametersDialog | None = None

    async def open(self, path: str | Path) -> None:
        metadata = await _read(path)
        if metadata is None or not metadata.has_parameters:
            await self._window.init_images.open(path)  # it also reports unreadable files
            return
        self._ask(str(path), metadata)

    @asyncSlot(str)
    async def open_soon(self, path: str) -> None:
        await self.open(path)

    @asyncSlot(list)
    async def open_first(self, paths: list) -> None:
        if paths:
            await self.open(paths[0])

    async def restore_from(self, path: str | Path) -> bool:
        """Restore the settings stored in ``path``; False (with a message) if it has none."""
        try:
            metadata = await asyncio.get_running_loop().run_in_executor(None, read_metadata, path)
        except ImageReadError as error:
            self._window.show_error(str(error))
            return False
        return self.restore(Path(path).name, metadata)

    @asyncSlot(str)
    async def restore_soon(self, path: str) -> None:
        await self.restore_from(path)

    def restore(self, name: str, metadata: ImageMetadata) -> bool:
        """Put the settings of ``metadata`` into the controls; the status bar says what was
        skipped. False when there is nothing sdstudio can restore."""
        if metadata.source is MetadataSource.COMFYUI:
            self._window.show_error(
                f"{name} was made with ComfyUI: its settings cannot be restored."
            )
            return False
        restored = restore_settings(metadata)
        if not restored.settings:
            self._window.show_error(f"{name} carries no settings to restore.")
            return False
        skipped = [*restored.skipped, *apply_restored(self._window.controls, restored.settings)]
        message = f"Restored the settings of {name}."
        if skipped:
            message = f"{message} Skipped: {'; '.join(skipped)}."
        self._window.show_message(message)
        return True

    def _ask(self, path: str, metadata: ImageMetadata) -> None:
        name = Path(path).name
        if self.dialog is not None:
            self.dialog.close()
        dialog = ParametersDialog(name, metadata, self._window)
        dialog.initChosen.connect(lambda: self._window.init_images.open_soon(path))
        dialog.restoreChosen.connect(lambda: self.restore(name, metadata))
        dialog.destroyed.connect(lambda: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: ParametersDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None


async def _read(path: str | Path) -> ImageMetadata | None:
    try:
        return await asyncio.get_running_loop().run_in_executor(None, read_metadata, path)
    except ImageReadError:
        return None
