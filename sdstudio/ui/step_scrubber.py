"""The step scrubber under the canvas: drag through a run's stored per-step previews."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from sdstudio.ui.step_numbers import shown_step
from sdstudio.ui.worker_events import PreviewFrame


class StepScrubber(QWidget):
    """``stepSlider`` runs over the previews of the last image and ends on the result.

    Hidden until a run has stored previews. ``stepLabel`` names a preview by the steps the
    user set (a PNDM run of 4 steps ends on 4/4, not on its fifth UNet call).

    Signals:
        imageChosen(QImage, QSize): show this image stretched over this size.
    """

    imageChosen = Signal(QImage, QSize)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="stepSlider")
        self.slider.setToolTip("Drag to see how the image formed, step by step")
        self.label = QLabel(objectName="stepLabel")
        self.label.setMinimumWidth(110)
        self._frames: tuple[PreviewFrame, ...] = ()
        self._result = QImage()
        self._steps = 0  # the user's steps; 0: name frames by their UNet calls
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 0)
        layout.addWidget(QLabel("Steps"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self.slider.valueChanged.connect(self._on_value)
        self.clear()

    def clear(self) -> None:
        self._frames = ()
        self._result = QImage()
        self.setVisible(False)

    def set_run(self, frames: Sequence[PreviewFrame], result: QImage, steps: int = 0) -> None:
        """Offer ``frames`` then ``result``; the slider starts on the result. ``steps`` is
        what the user set (``GenerationRequest.effective_steps``); frames count UNet calls."""
        self._frames = tuple(frames)
        self._result = result
        self._steps = steps
        self.setVisible(bool(self._frames))
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self._frames))
        self.slider.setValue(len(self._frames))
        self.slider.blockSignals(False)
        self._update_label(len(self._frames))

    @Slot(int)
    def _on_value(self, value: int) -> None:
        self._update_label(value)
        image = self._result if value >= len(self._frames) else self._frames[value].image
        self.imageChosen.emit(image, self._result.size())

    def _update_label(self, value: int) -> None:
        if value >= len(self._frames):
            self.label.setText("Result")
        else:
            frame = self._frames[value]
            step, total = shown_step(frame.step, frame.total, self._steps)
            self.label.setText(f"Step {step}/{total}")
