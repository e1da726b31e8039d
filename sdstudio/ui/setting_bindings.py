"""One small adaptor per setting between its widget and its value, so the settings panel's
reading, writing, restoring and request building walk the schema instead of naming widgets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
)

from sdstudio.engine.generation.settings import SECTIONS, number_text, setting_fields
from sdstudio.ui.seed_row import SeedRow


class SettingBinding:
    """A widget that shows one setting's value."""

    def get(self) -> Any:
        raise NotImplementedError

    def set(self, value: Any) -> bool:
        """Show ``value``; False (and nothing changed) when the widget cannot hold it."""
        raise NotImplementedError

    def value_for_run(self) -> Any:
        """The value a new run uses; usually what is shown."""
        return self.get()

    def set_range(self, minimum: float | None, maximum: float | None) -> None:
        """Offer only this range; widgets without one ignore it."""

    def refusal(self, label: str, value: Any) -> str:
        """Why :meth:`set` refused ``value``, in words."""
        return f"{label} {value!r} cannot be shown"


class SpinBinding(SettingBinding):
    """A QSpinBox or a QDoubleSpinBox holding an ``int`` or a ``float`` setting."""

    def __init__(self, spin: QSpinBox | QDoubleSpinBox, kind: type = int) -> None:
        self.spin = spin
        self.kind = kind

    def get(self) -> Any:
        return self.kind(self.spin.value())

    def set(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        # The range first: Python compares any int with a float exactly (NaN fails too),
        # while float() of a huge int raises OverflowError.
        if not self.spin.minimum() <= value <= self.spin.maximum():
            return False
        if self.kind is int and isinstance(value, float) and not value.is_integer():
            return False
        self.spin.setValue(self.kind(value))
        return True

    def set_range(self, minimum: float | None, maximum: float | None) -> None:
        low = self.spin.minimum() if minimum is None else minimum
        high = self.spin.maximum() if maximum is None else maximum
        self.spin.setRange(self.kind(low), self.kind(high))

    def refusal(self, label: str, value: Any) -> str:
        allowed = f"{number_text(self.spin.minimum())}–{number_text(self.spin.maximum())}"
        return f"{label} {_value_text(value)} is outside what sdstudio allows ({allowed})"


class SeedBinding(SpinBinding):
    """The seed row: a run with "random" on draws a new seed (and shows it)."""

    def __init__(self, row: SeedRow) -> None:
        super().__init__(row.spin, int)
        self.row = row

    def value_for_run(self) -> int:
        return self.row.seed_for_run()


class TextBinding(SettingBinding):
    """A QPlainTextEdit; a run uses the text without leading and trailing blanks."""

    def __init__(self, edit: QPlainTextEdit) -> None:
        self.edit = edit

    def get(self) -> str:
        return self.edit.toPlainText()

    def set(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        self.edit.setPlainText(value)
        return True

    def value_for_run(self) -> str:
        return self.get().strip()


class LineBinding(SettingBinding):
    """A QLineEdit (the refiner's folder or hub id); a run uses it without blanks around."""

    def __init__(self, edit: QLineEdit) -> None:
        self.edit = edit

    def get(self) -> str:
        return self.edit.text()

    def set(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        self.edit.setText(value)
        return True

    def value_for_run(self) -> str:
        return self.get().strip()


class CheckBinding(SettingBinding):
    """A QCheckBox holding a ``bool`` setting."""

    def __init__(self, check: QCheckBox) -> None:
        self.check = check

    def get(self) -> bool:
        return self.check.isChecked()

    def set(self, value: Any) -> bool:
        if not isinstance(value, bool):
            return False
        self.check.setChecked(value)
        return True


class ComboTextBinding(SettingBinding):
    """A QComboBox whose item texts are the setting's values (scheduler names)."""

    def __init__(self, combo: QComboBox) -> None:
        self.combo = combo

    def get(self) -> str:
        return self.combo.currentText()

    def set(self, value: Any) -> bool:
        index = self.combo.findText(value) if isinstance(value, str) else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def refusal(self, label: str, value: Any) -> str:
        return f"{label} {value!r} is not in the list"


class ComboDataBinding(SettingBinding):
    """A QComboBox whose items carry the setting's values as data and words as text
    ("Only masked" for ``masked``)."""

    def __init__(self, combo: QComboBox) -> None:
        self.combo = combo

    def get(self) -> str:
        return str(self.combo.currentData())

    def set(self, value: Any) -> bool:
        index = self.combo.findData(value) if isinstance(value, str) else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def refusal(self, label: str, value: Any) -> str:
        return f"{label} {value!r} is not one of the choices"


def _value_text(value: Any, longest: int = 40) -> str:
    """``value`` for a message, cut short: str() of an int past 4300 digits raises."""
    try:
        text = str(value)
    except ValueError:
        return "(a number too long to show)"
    return text if len(text) <= longest else text[:longest] + "…"


def apply_schema(
    bindings: Mapping[str, SettingBinding],
    unbound: Iterable[str] = (),
    sections: Iterable[type] = SECTIONS,
) -> None:
    """Give each widget its setting's range and default; every setting of ``sections`` needs
    a binding unless it is ``unbound`` (the init image comes from elsewhere)."""
    skipped = set(unbound)
    for each in setting_fields(sections):
        if each.name in skipped:
            continue
        if each.name not in bindings:
            raise LookupError(f"the setting {each.name!r} has no widget in the settings panel")
        binding = bindings[each.name]
        binding.set_range(*each.setting.control_range)
        binding.set(each.default)
