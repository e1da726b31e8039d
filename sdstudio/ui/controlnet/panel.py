"""The ControlNet panel: A1111's three units as tabs, and the switch for the map on the canvas.

It lists the ControlNets in ``SDSTUDIO_HOME/models/controlnet`` (read off the GUI thread, again
on Refresh) and gives the window the enabled units for each run's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QPushButton, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from sdstudio.engine.generation.controlnet.library import available_controlnets
from sdstudio.ui.background import run_in_background
from sdstudio.ui.controlnet.control_picture import CanvasPicture
from sdstudio.ui.controlnet.stored_unit import read_stored_unit
from sdstudio.ui.controlnet.unit_widget import ControlUnitWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit

UNITS = 3  # A1111's default number of units


def controlnet_names() -> list[str]:
    """The names units give for the ControlNets on disk (a file's stem, a folder's name)."""
    return [path.stem if path.is_file() else path.name for path in available_controlnets()]


@dataclass(frozen=True)
class UnitSummary:
    """What other panels show of a unit: its tab (Unit ``index``), its ControlNet's name
    ("" when none is chosen) and whether it is enabled (runs)."""

    index: int
    model: str
    enabled: bool


class ControlNetPanel(QWidget):
    """``units`` (:class:`ControlUnitWidget`, in tabs) and ``layer_toggle``
    (``controlLayerToggle``: the first enabled unit's map over the canvas).

    Signals:
        failed(str): a message for the status bar.
        layerChanged(): what :meth:`layer_map` gives may have changed.
        unitsChanged(): what :meth:`unit_summaries` gives may have changed.
    """

    failed = Signal(str)
    layerChanged = Signal()
    unitsChanged = Signal()

    def __init__(self, canvas_picture: CanvasPicture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controlNetPanel")
        self.layer_toggle = QPushButton("Show map on canvas", objectName="controlLayerToggle")
        self.layer_toggle.setCheckable(True)
        self.layer_toggle.setToolTip(
            "Lay the first enabled unit's control map over the canvas, half transparent"
        )
        self.tabs = QTabWidget(objectName="controlUnitTabs")
        self.units = [ControlUnitWidget(index, canvas_picture) for index in range(UNITS)]
        for unit in self.units:
            scroll = QScrollArea()
            scroll.setWidget(unit)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.tabs.addTab(scroll, _tab_title(unit))
            unit.changed.connect(self._on_unit_changed)
            unit.failed.connect(self.failed)
            unit.refreshRequested.connect(self.refresh_models)
            unit.model_combo.currentIndexChanged.connect(self.unitsChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.layer_toggle)
        layout.addWidget(self.tabs, 1)
        self.layer_toggle.toggled.connect(self.layerChanged)
        self.tabs.currentChanged.connect(self.layerChanged)
        self.refresh_models()

    @Slot()
    def refresh_models(self) -> None:
        """Read the ControlNet folder again, off the GUI thread."""
        run_in_background(controlnet_names, self._show_models, self._on_scan_failed, parent=self)

    def _show_models(self, names: list[str]) -> None:
        for unit in self.units:
            unit.set_models(names)
        self.unitsChanged.emit()  # a unit's model may have left the folder

    def _on_scan_failed(self, error: Exception) -> None:
        self.failed.emit(f"Could not read the ControlNet folder: {error}")

    def run_units(self, width: int, height: int) -> tuple[DescribedUnit, ...]:
        """The enabled units for a run of ``width`` × ``height``; a ``RequestError`` when one
        cannot run (no picture, no model…)."""
        return tuple(unit.run_unit(width, height) for unit in self.units if unit.is_enabled())

    def unit_summaries(self) -> tuple[UnitSummary, ...]:
        """Each unit's tab, model and whether it is enabled, in tab order (the enabled ones
        run in this order: the first as a run's ``controlnet``, the next ``controlnet_1``)."""
        return tuple(
            UnitSummary(unit.index, str(unit.model_combo.currentData() or ""), unit.is_enabled())
            for unit in self.units
        )

    def layer_map(self) -> tuple[QImage, str] | None:
        """The map to lay over the canvas and its resize mode, or None: the layer is off or no
        map is made. The first enabled unit's map, else the shown tab's."""
        if not self.layer_toggle.isChecked():
            return None
        shown = self.units[self.tabs.currentIndex()]
        for unit in [*(each for each in self.units if each.is_enabled()), shown]:
            made = unit.made()
            if made is not None:
                return made.overlay, unit.choice().resize
        return None

    def stored(self) -> list[dict[str, Any]]:
        """Every unit's settings (not pictures), for settings.ini."""
        return [unit.stored().to_json() for unit in self.units]

    def restore(self, entries: list[Any]) -> str | None:
        """Show the stored ``entries``; what had to take defaults, in words (None if all
        could be used)."""
        problems = []
        for unit, entry in zip(self.units, entries, strict=False):
            stored, bad = read_stored_unit(entry)
            unit.restore(stored)
            if bad:
                problems.append(f"{unit.title} ({', '.join(bad)})")
        if not problems:
            return None
        return "Some ControlNet settings could not be used; defaults for " + "; ".join(problems)

    @Slot()
    def _on_unit_changed(self) -> None:
        for row, unit in enumerate(self.units):
            self.tabs.setTabText(row, _tab_title(unit))
        self.layerChanged.emit()
        self.unitsChanged.emit()


def _tab_title(unit: ControlUnitWidget) -> str:
    return f"Unit {unit.index}" + (" (on)" if unit.is_enabled() else "")
