"""Restoring an image's settings into the controls without ever blocking the GUI thread.

What can be slow happens on the thread pool: reading the file, and finding the picture's
LoRAs. A LoRA its infotext names that is not here by name is looked for by the hash it
recorded (``Lora hashes``), which can mean hashing the whole LoRA library: about 4 s for 3 GB
the first time (hashes are cached, in ``cache_dir()``, so once per file). Meanwhile the status
bar says which file is being hashed, and the window goes on. Only putting the values into the
widgets happens on the GUI thread.

The newest request wins: a restore asked for while another runs makes the older one's
result ignored, and the older one stops before it hashes another file. Failures are a
message in the status bar, never a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from sdstudio.engine.metadata import (
    ImageMetadata,
    ImageReadError,
    MetadataSource,
    RestoredSettings,
    read_metadata,
    restore_settings,
)
from sdstudio.engine.networks.library import NetworkFile
from sdstudio.engine.networks.relink import HashingNeeded
from sdstudio.ui.app_state import AppState
from sdstudio.ui.background import run_in_background
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import apply_restored

log = logging.getLogger(__name__)


def prepare_quickly(metadata: ImageMetadata) -> RestoredSettings | None:
    """``metadata``'s restored settings if no LoRA file has to be hashed for them, else None
    (then :meth:`SettingsRestorer.restore` finds them in the background). Still reads the
    LoRA library's folder: call off the GUI thread."""
    if metadata.source is MetadataSource.COMFYUI or not metadata.has_parameters:
        return None
    try:
        return restore_settings(metadata, hash_files=False)
    except HashingNeeded:
        return None
    except Exception:  # noqa: BLE001 - the full restore will say what went wrong
        log.debug("Preparing restored settings failed", exc_info=True)
        return None


class _Superseded(Exception):
    """A newer restore was asked for: this one stops before hashing another file."""


@dataclass
class _Latest:
    """The number of the newest request (a plain object: pool threads read it)."""

    number: int = 0


class SettingsRestorer(QObject):
    """Puts restored settings into ``controls``; messages go to ``state``.

    Signals:
        finished(str): a restore ended (applied, refused or failed); the picture's name.
            Emitted only for the newest request.
        _hashing(int, str): from a pool thread, the news of one file being hashed.
    """

    finished = Signal(str)
    _hashing = Signal(int, str)

    def __init__(self, controls: ControlsPanel, state: AppState, parent: QObject) -> None:
        super().__init__(parent)
        self._controls = controls
        self._state = state
        self._latest = _Latest()
        self._running = 0  # the request running in the background (0: none)
        self._hashing.connect(self._on_hashing)  # queued: emitted on a pool thread

    @property
    def busy(self) -> bool:
        """Whether a restore runs in the background now (its result still to be applied)."""
        return self._running != 0 and self._running == self._latest.number

    def restore(
        self, name: str, metadata: ImageMetadata, prepared: RestoredSettings | None = None
    ) -> None:
        """Restore ``metadata`` (of the picture ``name``): at once when ``prepared`` (see
        :func:`prepare_quickly`) is given, else in the background."""
        number = self._next()
        if metadata.source is MetadataSource.COMFYUI:
            self._refuse(name, f"{name} was made with ComfyUI: its settings cannot be restored.")
            return
        if prepared is not None:
            self._apply(name, prepared)
            return
        self._state.tell(f"Restoring the settings of {name}…")
        self._start(number, name, lambda progress: self._work(metadata, progress))

    def restore_file(self, path: str | Path) -> None:
        """Read ``path`` and restore its settings, all in the background; a message if it has
        none."""
        name = Path(path).name
        self._start(self._next(), name, lambda progress: self._work(read_metadata(path), progress))

    def _next(self) -> int:
        self._latest.number += 1
        return self._latest.number

    def _start(self, number: int, name: str, work) -> None:
        latest = self._latest
        said = self._hashing

        def progress(file: NetworkFile, index: int, count: int) -> None:
            """On the pool thread, before each file is hashed."""
            if latest.number != number:
                raise _Superseded
            text = (
                f"Restoring the settings of {name}: looking for its LoRAs by hash, "
                f"reading {file.path.name} ({index} of {count})…"
            )
            try:
                said.emit(number, text)
            except RuntimeError:  # the window is gone: stop
                raise _Superseded from None

        self._running = number
        run_in_background(
            lambda: work(progress),
            lambda result: self._on_done(number, name, result),
            lambda error: self._on_failed(number, name, error),
            parent=self,
        )

    @staticmethod
    def _work(metadata: ImageMetadata, progress) -> ImageMetadata | RestoredSettings:
        """On the pool thread: the settings, or the metadata when there are none to restore."""
        if metadata.source is MetadataSource.COMFYUI:
            return metadata
        return restore_settings(metadata, before_hashing=progress)

    @Slot(int, str)
    def _on_hashing(self, number: int, text: str) -> None:
        if number == self._latest.number:
            self._state.tell(text)

    def _on_done(self, number: int, name: str, result: ImageMetadata | RestoredSettings) -> None:
        if number != self._latest.number:
            return  # a newer restore was asked for
        self._running = 0
        if isinstance(result, ImageMetadata):
            self._refuse(name, f"{name} was made with ComfyUI: its settings cannot be restored.")
        else:
            self._apply(name, result)

    def _on_failed(self, number: int, name: str, error: Exception) -> None:
        if number != self._latest.number or isinstance(error, _Superseded):
            return
        self._running = 0
        if isinstance(error, ImageReadError):
            text = str(error)
        else:
            log.warning("Restoring the settings of %s failed", name, exc_info=error)
            text = f"Could not restore the settings of {name}: {error or type(error).__name__}"
        self._refuse(name, text)

    def _refuse(self, name: str, text: str) -> None:
        self._state.error.emit(text)
        self.finished.emit(name)

    def _apply(self, name: str, restored: RestoredSettings) -> None:
        """On the GUI thread: only widgets are set here."""
        if not restored.settings:
            self._refuse(name, f"{name} carries no settings to restore.")
            return
        skipped = [*restored.skipped, *apply_restored(self._controls, restored.settings)]
        message = f"Restored the settings of {name}."
        if skipped:
            message = f"{message} Skipped: {'; '.join(skipped)}."
        self._state.tell(message)
        self.finished.emit(name)
