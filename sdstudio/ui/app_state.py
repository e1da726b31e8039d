"""App-wide news that many parts report and a few show: messages, errors, shown results."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppState(QObject):
    """One object every helper can report to, so none of them needs the window.

    The window's status bar listens to ``message`` and ``error``; the history and the
    inspection docks listen to ``resultShown``.

    Signals:
        message(str, int): news for the status bar and how long to show it (0: until replaced).
        error(str): something the user can act on; shown until the next message.
        resultShown(object): a ``FinishedImage`` reached the canvas.
    """

    message = Signal(str, int)
    error = Signal(str)
    resultShown = Signal(object)

    def tell(self, text: str, timeout_ms: int = 0) -> None:
        """Emit ``message`` (a method, so callers need not spell out the default timeout)."""
        self.message.emit(text, timeout_ms)
