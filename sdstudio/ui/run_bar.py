"""The bar under the canvas: progress (step x/y, it/s, time left), Generate and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from sdstudio.ui.progress_text import Progress, RunProgressText


class RunBar(QWidget):
    """``progressBar``, ``gridButton`` (the X/Y/Z plot dialog), ``generateButton`` and
    ``cancelButton`` (Esc while a run goes on).

    Generate's Ctrl+Enter shortcut belongs to the window, so it works from any field.
    A run's rate keeps the unit (it/s or s/it) it was first shown in.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress_bar = QProgressBar(objectName="progressBar")
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress_bar.setMinimumWidth(240)  # "Step 39/40 · 47.1 it/s · 0 s left" on one line
        self.generate_button = QPushButton("Generate", objectName="generateButton")
        self.generate_button.setToolTip("Generate (Ctrl+Enter)")
        self.generate_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", objectName="cancelButton")
        self.cancel_button.setToolTip("Stop after the current step (Esc)")
        self.cancel_button.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_button.setEnabled(False)
        self.grid_button = QPushButton("X/Y/Z…", objectName="gridButton")
        self.grid_button.setToolTip(
            "X/Y/Z plot: vary up to three settings and get a labelled grid of the results"
        )
        for button in (self.generate_button, self.cancel_button):
            button.setMinimumWidth(96)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.grid_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.generate_button)
        self._progress_text = RunProgressText()
        self.set_idle("Ready")

    def set_idle(self, text: str, can_generate: bool = True) -> None:
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(text)
        self.generate_button.setEnabled(can_generate)
        self.cancel_button.setEnabled(False)

    def set_waiting(self, text: str, can_generate: bool = False) -> None:
        """An indefinite wait (a model loading): a busy bar; Generate queues a job with
        ``can_generate``."""
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setFormat(text)
        self.generate_button.setEnabled(can_generate)
        self.cancel_button.setEnabled(False)

    def set_running(self, text: str = "Starting…") -> None:
        """A job runs: Cancel stops it, Generate queues another."""
        self._progress_text.reset()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(text)
        self.generate_button.setEnabled(True)
        self.cancel_button.setEnabled(True)

    def show_progress(self, progress: Progress) -> None:
        self.progress_bar.setRange(0, progress.all_steps)
        self.progress_bar.setValue(progress.done_steps)
        self.progress_bar.setFormat(self._progress_text.format(progress))

    def show_fraction(self, fraction: float, text: str) -> None:
        """A measured wait (a model download or load): ``fraction`` of it done, from 0 to 1."""
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(round(fraction * 1000))
        self.progress_bar.setFormat(text)
