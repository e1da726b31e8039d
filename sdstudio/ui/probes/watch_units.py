"""Which ControlNet unit of the window a watched ``controlnet….`` path stands for.

A run's units are named by their place among the units that run (``controlnet`` the first,
``controlnet_1`` the second…; see ``engine/generation/controlnet/watch_names.py``), as
A1111's infotext numbers them "ControlNet 0", "ControlNet 1". The ControlNet panel runs its
enabled units in tab order, so with Unit 0 off, Unit 1 runs as ``controlnet``. These helpers
turn the panel's units (anything with ``index``, ``model`` and ``enabled``) into those names
and back into words, for the watch menu and the Activations panel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sdstudio.engine.generation.controlnet.watch_names import unit_component, unit_index


class PanelUnit(Protocol):
    """What the ControlNet panel tells of one unit (its ``UnitSummary``)."""

    @property
    def index(self) -> int: ...  # the tab: Unit 0, 1, 2

    @property
    def model(self) -> str: ...  # the chosen ControlNet's name, "" for none

    @property
    def enabled(self) -> bool: ...


PanelUnits = Callable[[], Sequence[PanelUnit]]


def run_component(units: Sequence[PanelUnit], tab: int) -> str | None:
    """The name Unit ``tab`` runs under (``controlnet_1``), None while it is not enabled."""
    enabled = [unit.index for unit in units if unit.enabled]
    return unit_component(enabled.index(tab)) if tab in enabled else None


def in_component(path: str, component: str) -> str:
    """``controlnet.mid_block`` as ``component``'s: ``controlnet_1.mid_block``."""
    _, _, rest = path.partition(".")
    return f"{component}.{rest}" if rest else component


def model_words(unit: PanelUnit) -> str:
    return unit.model or "no ControlNet chosen"


def unit_caption(path: str, units: Sequence[PanelUnit]) -> str:
    """Which unit of the panel ``path`` watches now, in words; "" for a path outside any
    ControlNet."""
    index = unit_index(path.strip().split(".", 1)[0])
    if index is None:
        return ""
    enabled = [unit for unit in units if unit.enabled]
    run_name = f"ControlNet {index} of the run"
    if index < len(enabled):
        unit = enabled[index]
        return f"{run_name}: Unit {unit.index} ({model_words(unit)})"
    wanted = "1 unit" if index == 0 else f"{index + 1} units"
    return f"{run_name}: no such unit now (enable {wanted} in the ControlNet panel)"
