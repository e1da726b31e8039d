"""The names a run's ControlNets go by in module paths: one per unit, numbered as in infotext.

``controlnet.down_blocks.0`` is that module of the first unit's ControlNet (A1111's
"ControlNet 0"), ``controlnet_1.down_blocks.0`` of the second unit's ("ControlNet 1"), and so
on. The first unit takes diffusers' own component name (its ControlNet pipelines call it
``controlnet``), so a run with one unit reads like a ControlNet pipeline, and the model
browser shows every ControlNet under that name. Units are named by their place, not their
model, because two units may run the same model on different control images.
"""

from __future__ import annotations

CONTROLNET_COMPONENT = "controlnet"
_NUMBERED = CONTROLNET_COMPONENT + "_"


def unit_component(index: int) -> str:
    """The component name of the unit at 0-based ``index``."""
    return CONTROLNET_COMPONENT if index == 0 else f"{_NUMBERED}{index}"


def unit_index(component: str) -> int | None:
    """The 0-based unit a component name stands for; None when it names no unit."""
    if component == CONTROLNET_COMPONENT:
        return 0
    number = component.removeprefix(_NUMBERED)
    if number == component or not number.isdigit() or number.startswith("0"):
        return None
    return int(number)


def is_controlnet_path(path: str) -> bool:
    """Whether a watched path names a module of a unit's ControlNet."""
    return unit_index(path.strip().split(".", 1)[0]) is not None


def missing_unit_problem(path: str, unit_count: int) -> str | None:
    """Why ``path`` cannot be watched in a run with ``unit_count`` units; None when its unit
    is there (or it names no ControlNet)."""
    component = path.strip().split(".", 1)[0]
    index = unit_index(component)
    if index is None or index < unit_count:
        return None
    if unit_count == 0:
        return (
            f"{path} is a module of a ControlNet unit's model, and this run has no ControlNet "
            "unit: add one or stop watching it."
        )
    names = ", ".join(unit_component(each) for each in range(unit_count))
    units = "1 ControlNet unit" if unit_count == 1 else f"{unit_count} ControlNet units"
    return (
        f"{path} is a module of ControlNet unit {index} (counted from 0), and this run has "
        f"{units} ({names})."
    )
