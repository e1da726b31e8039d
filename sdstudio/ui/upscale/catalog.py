"""The upscalers there are, for every list in the window, read off the GUI thread: learning a
model file's scale and architecture loads it with spandrel (and torch), which takes seconds
the first time. Nothing is read until a list is wanted."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.upscalers import PILLOW_UPSCALERS, UpscalerInfo, available_upscalers
from sdstudio.engine.upscalers.catalog import PILLOW_ARCHITECTURE
from sdstudio.ui.background import run_in_background


def builtin_upscalers() -> list[UpscalerInfo]:
    """Lanczos and Nearest, which need no reading."""
    return [UpscalerInfo(name, PILLOW_ARCHITECTURE) for name in PILLOW_UPSCALERS]


class UpscalerCatalog(QObject):
    """``upscalers``: the latest list (Lanczos and Nearest until the folder was read);
    :meth:`refresh` reads the folder again (one reading at a time; a refresh asked for during
    one follows it).

    Signals:
        listed(list): the new list of ``UpscalerInfo``, Pillow's first.
        failed(str): why the folder could not be read.
    """

    listed = Signal(list)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.upscalers = builtin_upscalers()
        self.read_once = False
        self._reading = False
        self._again = False

    @property
    def reading(self) -> bool:
        return self._reading

    @Slot()
    def refresh(self) -> None:
        if self._reading:
            self._again = True
            return
        self._reading = True
        run_in_background(available_upscalers, self._on_listed, self._on_failed, parent=self)

    @Slot()
    def read_if_unread(self) -> None:
        """Read the folder unless it was read already (or is being read)."""
        if not self.read_once and not self._reading:
            self.refresh()

    def _on_listed(self, upscalers: list[UpscalerInfo]) -> None:
        self._reading = False
        self.read_once = True
        self.upscalers = list(upscalers)
        self.listed.emit(self.upscalers)
        self._follow_up()

    def _on_failed(self, error: Exception) -> None:
        self._reading = False
        if not isinstance(error, (OSError, UserFacingError)):
            raise error
        self.failed.emit(f"Could not list the upscalers: {error}")
        self._follow_up()

    def _follow_up(self) -> None:
        if self._again:
            self._again = False
            self.refresh()
