"""The modules the next run watches, in the order the user picked them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class WatchList(QObject):
    """Module paths such as ``unet.mid_block``; each at most once.

    Signals:
        changed(): a path was added or removed.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths: list[str] = []

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._paths)

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def add(self, path: str) -> None:
        if path not in self._paths:
            self._paths.append(path)
            self.changed.emit()

    def remove(self, path: str) -> None:
        if path in self._paths:
            self._paths.remove(path)
            self.changed.emit()

    def keep_only(self, exists: Callable[[str], bool]) -> list[str]:
        """Drop the paths for which ``exists`` is False (another model); returns them."""
        gone = [path for path in self._paths if not exists(path)]
        if gone:
            self._paths = [path for path in self._paths if path not in gone]
            self.changed.emit()
        return gone
