"""A one-item mailbox that keeps only the newest value: how previews are coalesced.

The worker thread ``put``s every preview; only a put into an empty slot asks the GUI to
come and ``take`` (so at most one notification is ever queued), and the GUI always gets
the newest value. A slow GUI therefore skips stale previews instead of building a backlog.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """Thread-safe holder of the most recent value, emptied by ``take``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None
        self._full = False

    def put(self, value: T) -> bool:
        """Store ``value``, replacing any unread one; True if the slot was empty."""
        with self._lock:
            was_empty = not self._full
            self._value = value
            self._full = True
            return was_empty

    def take(self) -> T | None:
        """The newest value, or None if nothing arrived since the last take."""
        with self._lock:
            value, self._value, self._full = self._value, None, False
            return value

    def clear(self) -> None:
        self.take()
