"""A ControlNet unit's settings as settings.ini keeps them (JSON), read back checked.

Pictures are not kept: they may be large, and a map made from last week's picture would steer
today's run unseen. Every value read back must be one the panel offers; one that is not gives
its default and is named, so the window can say so once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sdstudio.engine.controlnet_preprocessors import PREPROCESSORS, ResizeMode
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.controlnet.modes import CONTROL_MODES
from sdstudio.engine.generation.controlnet.prepared_unit import UnitChoice
from sdstudio.engine.generation.controlnet.unit import MAX_WEIGHT

MAX_MODEL_LENGTH = 4096


@dataclass(frozen=True)
class StoredUnit:
    """Whether the unit is on, and its choices."""

    enabled: bool = False
    choice: UnitChoice = field(default_factory=UnitChoice)

    def to_json(self) -> dict[str, Any]:
        choice = self.choice
        return {
            "enabled": self.enabled,
            **{each.name: getattr(choice, each.name) for each in fields(UnitChoice)},
            "parameters": dict(choice.parameters),
        }


def read_stored_unit(data: object) -> tuple[StoredUnit, list[str]]:
    """The unit ``data`` holds, and the names of the settings that had to take defaults."""
    if not isinstance(data, dict):
        return StoredUnit(), ["all of it"]
    default = UnitChoice()
    bad: list[str] = []

    def pick(name: str, check: Any, fallback: Any) -> Any:
        value = data.get(name, fallback)
        if check(value):
            return value
        bad.append(name)
        return fallback

    enabled = pick("enabled", lambda v: isinstance(v, bool), False)
    choice = UnitChoice(
        model=pick("model", lambda v: isinstance(v, str) and len(v) <= MAX_MODEL_LENGTH, ""),
        preprocessor=pick("preprocessor", _runs_here, default.preprocessor),
        weight=pick("weight", lambda v: _number_in(v, 0.0, MAX_WEIGHT), default.weight),
        start=pick("start", lambda v: _number_in(v, 0.0, 1.0), default.start),
        end=pick("end", lambda v: _number_in(v, 0.0, 1.0), default.end),
        mode=pick("mode", lambda v: v in CONTROL_MODES, default.mode),
        resize=pick("resize", lambda v: v in [m.value for m in ResizeMode], default.resize),
    )
    if not choice.start < choice.end:
        bad.append("start and end")
        choice = replace(choice, start=default.start, end=default.end)
    parameters = data.get("parameters", {})
    try:
        if not isinstance(parameters, dict):
            raise RequestError("not a table")
        checked = PREPROCESSORS[choice.preprocessor].checked_parameters(parameters)
    except RequestError:
        bad.append("the preprocessor's settings")
        checked = PREPROCESSORS[choice.preprocessor].defaults()
    return StoredUnit(enabled, replace(choice, parameters=tuple(checked.items()))), bad


def _runs_here(name: object) -> bool:
    return isinstance(name, str) and name in PREPROCESSORS and PREPROCESSORS[name].available


def _number_in(value: object, low: float, high: float) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    )
