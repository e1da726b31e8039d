"""A spin box for image sides: multiples of 8 only, as the VAE needs."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

SIDE_STEP = 8
MIN_SIDE = 64
MAX_SIDE = 2048


def nearest_side(value: int) -> int:
    """``value`` rounded to the nearest multiple of 8 within the allowed range."""
    rounded = round(value / SIDE_STEP) * SIDE_STEP
    return max(MIN_SIDE, min(MAX_SIDE, rounded))


class SideSpinBox(QSpinBox):
    """Steps by 8; typed values that are not multiples of 8 are rounded when editing ends."""

    def __init__(self, value: int = 512, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(MIN_SIDE, MAX_SIDE)
        self.setSingleStep(SIDE_STEP)
        self.setSuffix(" px")
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setValue(value)

    def validate(self, text: str, pos: int) -> object:
        state = super().validate(text, pos)
        state_value = state[0] if isinstance(state, tuple) else state
        if state_value == QValidator.State.Acceptable and self.valueFromText(text) % SIDE_STEP:
            return QValidator.State.Intermediate, text, pos
        return state

    def fixup(self, text: str) -> str:
        digits = "".join(ch for ch in text if ch.isdigit())
        return self.textFromValue(nearest_side(int(digits))) if digits else text
