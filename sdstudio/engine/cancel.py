"""A cooperative cancel flag shared between a front end and the denoising loop."""

from __future__ import annotations

import threading


class CancelToken:
    """Set from any thread; the loop checks it once per step and stops cleanly."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def reset(self) -> None:
        self._event.clear()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` seconds pass; whether it is cancelled. For a
        watcher that relays the cancel elsewhere (a server) the moment it is set."""
        return self._event.wait(timeout)
