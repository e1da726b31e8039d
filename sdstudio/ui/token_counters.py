"""The live token counters under the prompt boxes ("37/75", "80/150 · 2 chunks"), so a long
prompt is never cut off without the user knowing how it is read."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit

DELAY_MS = 150  # count once typing pauses, not on every key


class PromptTokenCounters(QObject):
    """Keeps each (prompt box, label) pair's count current with the loaded model's tokenizer
    (given by :meth:`set_counter`; until then the labels are empty)."""

    def __init__(self, pairs: list[tuple[QPlainTextEdit, QLabel]], parent: QObject | None = None):
        super().__init__(parent)
        self._pairs = pairs
        self._counter: Any = None
        self._timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._timer.timeout.connect(self.update_counts)
        for edit, _ in pairs:
            edit.textChanged.connect(self._timer.start)

    def set_counter(self, counter: Any) -> None:
        """Count with ``counter`` (a ``PromptCounter``) from now on."""
        self._counter = counter
        self.update_counts()

    def update_counts(self) -> None:
        for edit, label in self._pairs:
            if self._counter is None:
                label.clear()
                continue
            try:
                length = self._counter.count(edit.toPlainText())
            except Exception as error:  # a tokenizer problem must not cost the prompt
                label.setText(f"cannot count: {type(error).__name__}")
                continue
            label.setText(length.text)
            several = length.chunks > 1
            label.setToolTip(
                f"{length.tokens} tokens in {length.chunks} chunks of 75: each chunk is read "
                "on its own and the results joined, as A1111 does; nothing is cut off."
                if several
                else "Tokens of this prompt / the 75 one chunk holds."
            )
