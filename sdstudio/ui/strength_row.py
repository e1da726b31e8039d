"""img2img strength (slider + spin box) and the init image's name with a clear button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSlider,
    QToolButton,
    QWidget,
)

NO_INIT_TEXT = "No init image: text to image"


class StrengthRow(QWidget):
    """``strengthSlider`` and ``strengthSpin`` stay in step; both are enabled only while an
    init image is set. ``clearInitButton`` asks for the init image to be removed.

    Signals:
        clearRequested(): the user wants to go back to text-to-image.
    """

    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = QDoubleSpinBox(objectName="strengthSpin")
        self.spin.setRange(0.0, 1.0)
        self.spin.setSingleStep(0.05)
        self.spin.setDecimals(2)
        self.spin.setValue(0.75)
        self.spin.setToolTip("How much to change the init image: 0 keeps it, 1 ignores it")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="strengthSlider")
        self.slider.setRange(0, 100)
        self.slider.setValue(75)
        self.init_label = QLabel(NO_INIT_TEXT, objectName="initImageLabel")
        self.init_label.setWordWrap(True)
        self.init_label.setEnabled(False)
        self.clear_button = QToolButton(objectName="clearInitButton", text="Clear")
        self.clear_button.setToolTip("Remove the init image (back to text to image)")
        self.strength_label = QLabel("Strength")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.init_label, 0, 0, 1, 2)
        layout.addWidget(self.clear_button, 0, 2)
        layout.addWidget(self.strength_label, 1, 0)
        layout.addWidget(self.slider, 1, 1)
        layout.addWidget(self.spin, 1, 2)
        layout.setColumnStretch(1, 1)
        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)
        self.clear_button.clicked.connect(self.clearRequested)
        self.set_init_image(None)

    def strength(self) -> float:
        return self.spin.value()

    def set_init_image(self, description: str | None) -> None:
        """Show what the init image is (None: there is none) and enable strength with it."""
        active = description is not None
        self.init_label.setText(description if active else NO_INIT_TEXT)
        self.init_label.setEnabled(active)
        for widget in (self.spin, self.slider, self.clear_button, self.strength_label):
            widget.setEnabled(active)

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        if round(self.spin.value() * 100) != value:
            self.spin.setValue(value / 100)

    @Slot(float)
    def _on_spin(self, value: float) -> None:
        self.slider.setValue(round(value * 100))
