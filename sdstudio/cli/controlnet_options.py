"""``--controlnet MODEL --control-image IMG [--control-…]``: ControlNet units, A1111-style.

Each ``--controlnet`` starts a unit; the ``--control-*`` options after it, up to the next
``--controlnet``, belong to it. Everything that can be checked without the model is checked
while the command line is read or right after (a message and exit status 2): an option
before any ``--controlnet`` or given twice for one unit, a unit without an image, numbers
out of range, unknown preprocessors and ControlNets. The control image is preprocessed once,
then brought to each run's size with A1111's resize mode.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdstudio.cli.number_arguments import finite_float
from sdstudio.engine.controlnet_preprocessors import (
    PREPROCESSORS,
    ResizeMode,
    find_preprocessor,
)
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit
from sdstudio.engine.generation.controlnet.library import find_controlnet
from sdstudio.engine.generation.controlnet.modes import CONTROL_MODES
from sdstudio.engine.generation.controlnet.prepared_unit import UnitChoice
from sdstudio.engine.generation.controlnet.unit import MAX_WEIGHT

DEST = "controlnet_units"
_NUMBERS = {  # option key → (lowest, highest)
    "weight": (0.0, MAX_WEIGHT),
    "start": (0.0, 1.0),
    "end": (0.0, 1.0),
}


@dataclass
class UnitOptions:
    """One unit as the command line gave it; ``given`` remembers which options were set."""

    model: str
    image: str | None = None
    preprocessor: str = "none"
    weight: float = 1.0
    start: float = 0.0
    end: float = 1.0
    mode: str = "balanced"
    resize: str = ResizeMode.CROP_AND_RESIZE.value
    given: set[str] = field(default_factory=set)


class _StartUnit(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None) -> None:
        units = list(getattr(namespace, DEST, None) or [])
        units.append(UnitOptions(model=str(values)))
        setattr(namespace, DEST, units)


class _UnitOption(argparse.Action):
    """Sets one setting of the last unit; refused before any ``--controlnet`` or twice."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        units = getattr(namespace, DEST, None)
        if not units:
            parser.error(f"{option_string} must follow a --controlnet MODEL (the unit it sets)")
        unit = units[-1]
        key = self.key
        if key in unit.given:
            parser.error(f"{option_string} given twice for --controlnet {unit.model}")
        if key in _NUMBERS:
            low, high = _NUMBERS[key]
            if not low <= values <= high:
                parser.error(
                    f"{option_string} must be between {low:g} and {high:g}, got {values:g}"
                )
        unit.given.add(key)
        setattr(unit, key, values)

    @property
    def key(self) -> str:
        return self.dest.removeprefix("control_unit_")


def add_controlnet_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "ControlNet", "each --controlnet starts a unit; the --control-* options after it set it"
    )
    group.add_argument(
        "--controlnet",
        action=_StartUnit,
        dest=DEST,
        metavar="MODEL",
        help="a ControlNet: a name in SDSTUDIO_HOME/models/controlnet or a path (repeatable)",
    )
    _unit_option(group, "image", "--control-image", "IMG", "the unit's picture (required)")
    runnable = [name for name, each in PREPROCESSORS.items() if each.available]
    _unit_option(
        group,
        "preprocessor",
        "--control-preprocessor",
        "NAME",
        f"what turns the picture into the control map: {', '.join(runnable)} (default none)",
    )
    _unit_option(group, "weight", "--control-weight", "W", "0 to 2 (default 1)", finite_float)
    _unit_option(
        group, "start", "--control-start", "F", "from this fraction of the steps", finite_float
    )
    _unit_option(
        group, "end", "--control-end", "F", "up to this fraction of the steps", finite_float
    )
    _unit_option(
        group,
        "mode",
        "--control-mode",
        "MODE",
        "balanced (default), prompt or controlnet",
        choices=CONTROL_MODES,
    )
    _unit_option(
        group,
        "resize",
        "--control-resize",
        "MODE",
        'how the picture meets the run\'s size: "Just Resize", "Crop and Resize" '
        '(default) or "Resize and Fill"',
        choices=[mode.value for mode in ResizeMode],
    )


def _unit_option(
    group, key: str, flag: str, metavar: str, help: str, type=str, choices=None
) -> None:
    group.add_argument(
        flag,
        action=_UnitOption,
        dest=f"control_unit_{key}",
        default=argparse.SUPPRESS,
        metavar=metavar,
        type=type,
        choices=choices,
        help=help,
    )


@dataclass(frozen=True)
class PreparedControl:
    """A unit checked and its control map made; :meth:`unit` sizes it for one run."""

    choice: UnitChoice
    control_map: Any  # PIL image

    def unit(self, width: int, height: int) -> DescribedUnit:
        return self.choice.unit(self.control_map, width, height)


def prepared_controls(args: argparse.Namespace) -> list[PreparedControl]:
    """Every unit of the command line checked (before the model loads) and preprocessed,
    its sliders at their defaults."""
    from sdstudio.engine.generation.controlnet.control_image import control_picture

    prepared = []
    for options in getattr(args, DEST, None) or []:
        if options.image is None:
            raise RequestError(f"--controlnet {options.model} needs --control-image IMG")
        if not options.start < options.end:
            raise RequestError(
                f"--controlnet {options.model}: --control-start ({options.start:g}) must be "
                f"below --control-end ({options.end:g})"
            )
        preprocessor = find_preprocessor(options.preprocessor).name
        find_controlnet(options.model)
        choice = UnitChoice(
            model=options.model,
            preprocessor=preprocessor,
            weight=options.weight,
            start=options.start,
            end=options.end,
            mode=options.mode,
            resize=options.resize,
        )
        path = Path(options.image).expanduser()
        if not path.is_file():
            raise RequestError(f"Control image not found: {path}")
        prepared.append(PreparedControl(choice, choice.control_map(control_picture(path))))
    return prepared


def control_units(prepared: Sequence[PreparedControl], width: int, height: int) -> tuple:
    """The units for a run of ``width`` × ``height``."""
    return tuple(each.unit(width, height) for each in prepared)
