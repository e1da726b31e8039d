"""A spin box for image sides: multiples of 8 only, as the VAE needs."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

from sdstudio.engine.generation.settings import SizeSettings, setting_fields

SIDE_STEP = 8
# The panel's range for a side, as the settings schema gives it for the width.
_WIDTH = next(each for each in setting_fields([SizeSettings]) if each.name == "width")
MIN_SIDE, MAX_SIDE = (int(bound) for bound in _WIDTH.setting.control_range)


def nearest_side(value: int) -> int:
    """``value`` rounded to the nearest multiple of 8 within the allowed range."""
    rounded = round(value / SIDE_STEP) * SIDE_STEP
    return max(MIN_SIDE, min(MAX_SIDE, rounded))


class SideSpinBox(QSpinBox):
    """Steps by 8; typed values that are not multiples of 8 are rounded when editing ends.

    Signals:
        snapped(int, int): the side the user typed and the one it became, when they differ.
    """

    snapped = Signal(int, int)

    def __init__(self, value: int = 512, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._typed: tuple[int, int] | None = None  # (typed, snapped) until editing ends
        self.setRange(MIN_SIDE, MAX_SIDE)
        self.setSingleStep(SIDE_STEP)
        self.setSuffix(" px")
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setValue(value)
        self.editingFinished.connect(self._on_editing_finished)

    def validate(self, text: str, pos: int) -> object:
        state = super().validate(text, pos)
        state_value = state[0] if isinstance(state, tuple) else state
        if state_value == QValidator.State.Acceptable and self.valueFromText(text) % SIDE_STEP:
            return QValidator.State.Intermediate, text, pos
        return state

    def fixup(self, text: str) -> str:
        digits = "".join(ch for ch in text if ch.isdigit())
        if not digits:
            return text
        typed = int(digits)
        side = nearest_side(typed)
        self._typed = (typed, side) if side != typed else None
        return self.textFromValue(side)

    @Slot()
    def _on_editing_finished(self) -> None:
        """Said after the value changed, so a listener sees the snapped side in place."""
        typed, self._typed = self._typed, None
        if typed is not None and self.value() == typed[1]:
            self.snapped.emit(*typed)
