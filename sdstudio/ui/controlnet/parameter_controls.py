"""A preprocessor's knobs (Canny's thresholds, a blur's sigma): a slider and a spin box each.

They are built from the preprocessor's :class:`Parameter` list, so a new preprocessor needs
no widget code. A spin box alone serves a parameter whose range has too many steps for a
slider (the shuffle's seed).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QSlider, QWidget

from sdstudio.engine.controlnet_preprocessors import Parameter, Preprocessor

MAX_SLIDER_STEPS = 10_000


class ParameterControls(QWidget):
    """One row per parameter of the preprocessor last given to :meth:`show_preprocessor`;
    the spin boxes are named ``controlParam_<name>``, the sliders ``controlSlider_<name>``.

    Signals:
        changed(): a value changed (not while rows are being rebuilt).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controlParameters")
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setColumnStretch(1, 1)
        self._parameters: tuple[Parameter, ...] = ()
        self._spins: dict[str, QDoubleSpinBox] = {}
        self._sliders: dict[str, QSlider] = {}

    def show_preprocessor(self, preprocessor: Preprocessor) -> None:
        """Rows for ``preprocessor``'s parameters, at their defaults."""
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)  # gone from view and from findChild now
                widget.deleteLater()
        self._parameters = preprocessor.parameters
        self._spins.clear()
        self._sliders.clear()
        for row, parameter in enumerate(preprocessor.parameters):
            self._add_row(row, parameter)
        self.setVisible(bool(preprocessor.parameters))

    def values(self) -> tuple[tuple[str, float], ...]:
        """Each parameter's value by name (whole numbers as ``int``)."""
        return tuple(
            (each.name, _typed(each, self._spins[each.name].value())) for each in self._parameters
        )

    def set_values(self, values: dict[str, float]) -> None:
        """Show ``values`` (names the preprocessor does not have are ignored)."""
        for name, value in values.items():
            spin = self._spins.get(name)
            if spin is not None:
                spin.setValue(value)

    def _add_row(self, row: int, parameter: Parameter) -> None:
        spin = QDoubleSpinBox(objectName=f"controlParam_{parameter.name}")
        spin.setDecimals(0 if parameter.integer else _decimals(parameter.step))
        spin.setRange(parameter.minimum, parameter.maximum)
        spin.setSingleStep(parameter.step)
        spin.setValue(parameter.default)
        spin.setKeyboardTracking(False)  # a half-typed number is not a value to preview
        spin.setToolTip(f"{parameter.label}: {parameter.minimum:g} to {parameter.maximum:g}")
        self._layout.addWidget(QLabel(parameter.label), row, 0)
        self._layout.addWidget(spin, row, 2)
        self._spins[parameter.name] = spin
        steps = (parameter.maximum - parameter.minimum) / parameter.step
        if steps <= MAX_SLIDER_STEPS:
            slider = QSlider(
                Qt.Orientation.Horizontal, objectName=f"controlSlider_{parameter.name}"
            )
            slider.setRange(0, round(steps))
            slider.setValue(_position(parameter, parameter.default))
            self._layout.addWidget(slider, row, 1)
            self._sliders[parameter.name] = slider
            slider.valueChanged.connect(self._on_slider)
        spin.valueChanged.connect(self._on_spin)

    @Slot()
    def _on_slider(self) -> None:
        for parameter in self._parameters:
            slider = self._sliders.get(parameter.name)
            if slider is None:
                continue
            value = parameter.minimum + slider.value() * parameter.step
            spin = self._spins[parameter.name]
            if not math.isclose(spin.value(), value, abs_tol=parameter.step / 2):
                spin.setValue(value)  # which says changed

    @Slot()
    def _on_spin(self) -> None:
        for parameter in self._parameters:
            slider = self._sliders.get(parameter.name)
            if slider is not None:
                slider.blockSignals(True)
                slider.setValue(_position(parameter, self._spins[parameter.name].value()))
                slider.blockSignals(False)
        self.changed.emit()


def _position(parameter: Parameter, value: float) -> int:
    return round((value - parameter.minimum) / parameter.step)


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


def _typed(parameter: Parameter, value: float) -> float:
    return int(round(value)) if parameter.integer else round(value, _decimals(parameter.step))
