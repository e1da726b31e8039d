"""Seed entry: the seed, a "random" toggle and a "reuse last seed" button."""

from __future__ import annotations

import random

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QToolButton, QWidget

from sdstudio.engine.generation.request import MAX_SEED


class SeedRow(QWidget):
    """``seedSpin`` holds the seed (0 … 2³²−1, so a whole-number QDoubleSpinBox).

    With ``randomSeedCheck`` on, every run draws a new seed and shows it in the spin box;
    ``reuseSeedButton`` puts back the seed of the last finished image and turns random off.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = QDoubleSpinBox(objectName="seedSpin")
        self.spin.setDecimals(0)
        self.spin.setRange(0, MAX_SEED)
        self.spin.setToolTip("The same seed and settings give the same image")
        self.random_check = QCheckBox("Random", objectName="randomSeedCheck", checked=True)
        self.random_check.setToolTip("Draw a new seed for every run")
        self.reuse_button = QToolButton(objectName="reuseSeedButton", text="Reuse last")
        self.reuse_button.setToolTip("Use the seed of the last image again")
        self.reuse_button.setEnabled(False)
        self._last_seed: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin, 1)
        layout.addWidget(self.random_check)
        layout.addWidget(self.reuse_button)
        self.random_check.toggled.connect(self._on_random_toggled)
        self.reuse_button.clicked.connect(self.reuse_last_seed)
        self._on_random_toggled(self.random_check.isChecked())

    def seed(self) -> int:
        return int(self.spin.value())

    def set_seed(self, seed: int) -> None:
        self.spin.setValue(seed)

    def seed_for_run(self) -> int:
        """The seed a new run uses: a fresh one when random is on (and shown)."""
        if self.random_check.isChecked():
            self.spin.setValue(random.randint(0, MAX_SEED))
        return self.seed()

    def set_last_seed(self, seed: int) -> None:
        self._last_seed = seed
        self.reuse_button.setEnabled(True)
        self.reuse_button.setToolTip(f"Use seed {seed} again")

    @property
    def last_seed(self) -> int | None:
        return self._last_seed

    @Slot()
    def reuse_last_seed(self) -> None:
        if self._last_seed is None:
            return
        self.random_check.setChecked(False)
        self.spin.setValue(self._last_seed)

    @Slot(bool)
    def _on_random_toggled(self, random_on: bool) -> None:
        self.spin.setReadOnly(random_on)
        self.spin.setButtonSymbols(
            QDoubleSpinBox.ButtonSymbols.NoButtons
            if random_on
            else QDoubleSpinBox.ButtonSymbols.UpDownArrows
        )
