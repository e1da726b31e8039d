""" "Watch this module" / "Stop watching" for the module selected in the model browser, and,
for a ControlNet's module, a menu to watch it in each unit of the ControlNet panel."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from sdstudio.engine.generation.controlnet.watch_names import (
    is_controlnet_path,
    unit_component,
    unit_index,
)
from sdstudio.engine.modules import NodeKind
from sdstudio.ui.model_browser import ModelBrowserDock
from sdstudio.ui.probes.watch_list import WatchList
from sdstudio.ui.probes.watch_units import (
    PanelUnit,
    PanelUnits,
    in_component,
    model_words,
    run_component,
)

WATCH_TEXT = "Watch this module"
STOP_TEXT = "Stop watching"


class WatchModuleAction(QAction):
    """Toggles the selected module in ``watch_list``; enabled for modules of the loaded
    model and of a ControlNet (a preset architecture has no weights to run, a tokenizer no
    activations). A ControlNet's modules are watched as ``controlnet.…``: in the run's first
    ControlNet unit, whichever model it names.

    Given ``units`` (the ControlNet panel's units, read each time), a ControlNet's module also
    gets ``unit_menu`` (``watchUnitMenu``): one checkable ``watchInUnit<N>`` per unit, naming
    its model and whether it is enabled, that watches the module in that unit
    (``controlnet_1.…`` for the second enabled one). Call :meth:`refresh` when the units
    change.
    """

    def __init__(
        self,
        browser: ModelBrowserDock,
        watch_list: WatchList,
        parent: QObject,
        units: PanelUnits | None = None,
    ) -> None:
        super().__init__(WATCH_TEXT, parent)
        self.setObjectName("watchModuleAction")
        self._browser = browser
        self._watch_list = watch_list
        self._units = units
        self.unit_menu = QMenu("Watch in unit", browser, objectName="watchUnitMenu")
        self.unit_menu.aboutToShow.connect(self.refresh)
        self._unit_actions: list[QAction] = []
        self.triggered.connect(self._toggle)
        browser.node_selected.connect(self.refresh)
        browser.tree_view().model().modelReset.connect(self.refresh)
        watch_list.changed.connect(self.refresh)
        self.refresh()

    def selected_path(self) -> str | None:
        """The selected module's path when it can be watched, else None."""
        if not (self._browser.showing_loaded_model() or self._browser.showing_controlnet()):
            return None
        node = self._browser.selected_node()
        if node is None or node.kind not in (NodeKind.COMPONENT, NodeKind.MODULE):
            return None
        return node.full_path if node.module is not None else None

    def unit_actions(self) -> tuple[QAction, ...]:
        """The menu's "Watch in Unit N" actions, one per unit of the panel."""
        return tuple(self._unit_actions)

    @Slot()
    def refresh(self) -> None:
        """Text, tip and the unit menu for the selected module and the units as they are."""
        path = self.selected_path()
        per_unit = path is not None and is_controlnet_path(path) and self._units is not None
        watched = path is not None and any(each in self._watch_list for each in self._names(path))
        self.setEnabled(path is not None)
        self.setText(STOP_TEXT if watched else WATCH_TEXT)
        self.setToolTip(_tip(path, watched, per_unit))
        if per_unit:
            self._show_units(path)
        if (self.menu() is not None) != per_unit:
            self.setMenu(self.unit_menu if per_unit else None)

    def _names(self, path: str) -> list[str]:
        """Every name ``path`` is watched under: one per unit for a ControlNet's module."""
        if not is_controlnet_path(path):
            return [path]
        count = max(1, len(self._units()) if self._units is not None else 1)
        return [in_component(path, unit_component(index)) for index in range(count)]

    def _show_units(self, path: str) -> None:
        units = list(self._units())
        while len(self._unit_actions) < len(units):
            action = QAction(self.unit_menu, checkable=True)
            action.setObjectName(f"watchInUnit{len(self._unit_actions)}")
            action.triggered.connect(lambda _checked, chosen=action: self._on_unit_chosen(chosen))
            self.unit_menu.addAction(action)
            self._unit_actions.append(action)
        for action, unit in zip(self._unit_actions, units, strict=False):
            component = run_component(units, unit.index)
            name = in_component(path, component) if component else None
            state = "enabled" if unit.enabled else "not enabled"
            action.setText(f"Watch in Unit {unit.index}: {model_words(unit)} ({state})")
            action.setData(name)
            action.setEnabled(name is not None)
            action.setChecked(name is not None and name in self._watch_list)
            action.setToolTip(_unit_tip(unit, name))

    def _on_unit_chosen(self, action: QAction) -> None:
        name = action.data()
        if name:
            if name in self._watch_list:
                self._watch_list.remove(name)
            else:
                self._watch_list.add(name)
        self.refresh()  # the check follows the list, whatever the click toggled

    @Slot()
    def _toggle(self) -> None:
        path = self.selected_path()
        if path is None:
            return
        watched = [each for each in self._names(path) if each in self._watch_list]
        for each in watched:
            self._watch_list.remove(each)
        if not watched:
            self._watch_list.add(path)


def _tip(path: str | None, watched: bool, per_unit: bool) -> str:
    if path is None:
        return (
            "Select a module of the loaded model or of a ControlNet to watch what it "
            "computes at each step"
        )
    if watched:
        return f"Stop showing {path} in the Activations panel" + (
            " (in every unit)" if per_unit else ""
        )
    if is_controlnet_path(path):
        return (
            f"Show what {path} computes at each step of the next run with a ControlNet "
            "unit, in its first unit (Activations panel)"
            + ("; the menu watches it in another unit" if per_unit else "")
        )
    return f"Show what {path} computes at each step of the next run (Activations panel)"


def _unit_tip(unit: PanelUnit, name: str | None) -> str:
    if name is None:
        return f"Enable Unit {unit.index} in the ControlNet panel to watch its ControlNet"
    place = unit_index(name.split(".", 1)[0])
    return (
        f"Watch {name}: this module of Unit {unit.index}'s ControlNet ({model_words(unit)}), "
        f"which runs as ControlNet {place} (the enabled units are counted from 0)"
    )
