"""The "X/Y/Z plot" dialog: up to three settings, each with its values, checked as typed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.grids.axes import Axis
from sdstudio.engine.grids.plan import AXIS_NAMES, Cell, XyzPlan

NOTHING = "Nothing"
# What each axis type is called in the combo, and an example for its values field.
AXIS_CHOICES = {
    "Seed": "1, 2, 3",
    "Steps": "10, 20, 30",
    "CFG": "3, 7, 11",
    "Sampler": "Euler, DDIM, DPM++ 2M",
    "Prompt S/R": "circle, square, triangle  (the first is searched for in the prompt)",
    "Strength": "0.3, 0.5, 0.8",
    "LoRA weight": "0, 0.5, 1  (the prompt needs a <lora:NAME:W> tag)",
}


class GridDialog(QDialog):
    """``gridXTypeCombo``/``gridXValuesEdit`` (and Y, Z), ``gridMessageLabel`` and the OK
    button, which says how many jobs it will queue.

    ``base_request()`` gives the current settings (it may raise :class:`RequestError`);
    every cell is built from them before the dialog accepts, so a bad value is named here
    and nothing is queued.

    Signals:
        planned(object, object): the :class:`XyzPlan` and its list of :class:`Cell`.
    """

    planned = Signal(object, object)

    def __init__(
        self, base_request: Callable[[], GenerationRequest], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gridDialog")
        self.setWindowTitle("X/Y/Z Plot")
        self._base_request = base_request
        self.type_combos: list[QComboBox] = []
        self.values_edits: list[QLineEdit] = []
        form = QFormLayout()
        for name in AXIS_NAMES:
            combo = QComboBox(objectName=f"grid{name}TypeCombo")
            combo.addItems([NOTHING, *AXIS_CHOICES])
            edit = QLineEdit(objectName=f"grid{name}ValuesEdit")
            edit.setEnabled(False)
            combo.currentTextChanged.connect(self._on_type_changed)
            edit.textChanged.connect(self._check)
            row = QHBoxLayout()
            row.addWidget(combo)
            row.addWidget(edit, 1)
            form.addRow(f"{name} type and values", row)
            self.type_combos.append(combo)
            self.values_edits.append(edit)
        self.message_label = QLabel(objectName="gridMessageLabel")
        self.message_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "One picture per combination, queued as jobs; when they are done, a labelled grid "
            "is saved beside them. Values are separated by commas."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self._check()

    def set_axis(self, index: int, kind: str, values: str) -> None:
        """Fill axis ``index`` (0: X) as a user would."""
        self.type_combos[index].setCurrentText(kind)
        self.values_edits[index].setText(values)

    def plan(self) -> XyzPlan:
        """The axes as typed; a :class:`RequestError` names what is wrong."""
        axes = []
        for name, combo, edit in zip(AXIS_NAMES, self.type_combos, self.values_edits, strict=True):
            if combo.currentText() == NOTHING:
                continue
            try:
                axes.append(Axis.parse(f"{combo.currentText()}={edit.text()}"))
            except RequestError as error:
                raise RequestError(f"{name} axis: {error}") from None
        if not axes:
            raise RequestError("Choose at least one setting to vary.")
        return XyzPlan(tuple(axes))

    def _plan_and_cells(self) -> tuple[XyzPlan, list[Cell]]:
        plan = self.plan()
        return plan, plan.cells(self._base_request())

    @Slot(str)
    def _on_type_changed(self, _text: str) -> None:
        for combo, edit in zip(self.type_combos, self.values_edits, strict=True):
            kind = combo.currentText()
            edit.setEnabled(kind != NOTHING)
            edit.setPlaceholderText(AXIS_CHOICES.get(kind, ""))
        self._check()

    @Slot()
    def _check(self) -> None:
        try:
            plan = self.plan()
        except RequestError as error:
            self.message_label.setText(str(error))
            self.ok_button.setEnabled(False)
            self.ok_button.setText("Queue")
            return
        x, y, z = plan.counts
        self.message_label.setText(f"{x} × {y} × {z} = {plan.size} pictures")
        self.ok_button.setEnabled(True)
        self.ok_button.setText(f"Queue {plan.size} jobs")

    def accept(self) -> None:
        """Queue only a plan whose every cell can run; otherwise say why and stay open."""
        try:
            plan, cells = self._plan_and_cells()
        except RequestError as error:
            self.message_label.setText(str(error))
            return
        self.planned.emit(plan, cells)
        super().accept()
