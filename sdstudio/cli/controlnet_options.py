"""``--controlnet MODEL --control-image IMG [--control-…]``: ControlNet units, A1111-style.

Each ``--controlnet`` starts a unit; the ``--control-*`` options after it, up to the next
``--controlnet``, belong to it. Everything that can be checked without the model is checked
while the command line is read or right after (a message and exit status 2): an option
before any ``--controlnet`` or given twice for one unit, a unit without an image, numbers
out of range, unknown preprocessors, their parameters (``--control-param``) and ControlNets.
The control image is preprocessed once, then brought to each run's size with A1111's resize
mode.

``--control-param NAME=VALUE`` sets one of the unit's preprocessor parameters, by the name the
preprocessor declares (canny's ``low_threshold``). A1111's API names its first two sliders
``threshold_a`` and ``threshold_b``; both are taken and stand for the parameter on that slider
(canny: low and high threshold). Its ``processor_res`` is refused with the reason: preprocessors
here run at the picture's own size, so there is no resolution to set.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from sdstudio.cli.number_arguments import finite_float
from sdstudio.engine.controlnet_preprocessors import (
    PREPROCESSORS,
    Preprocessor,
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
PARAM_FLAG = "--control-param"
_SLIDER_SPELLINGS = {"threshold_a": 1, "threshold_b": 2}  # A1111 API → Parameter.slider
_NO_RESOLUTION = "processor_res"
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
    parameters: dict[str, float] = field(default_factory=dict)  # as given: names or aliases
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
            _refuse(parser, f"{option_string} must follow a --controlnet MODEL (the unit it sets)")
        unit = units[-1]
        key = self.key
        if key in unit.given:
            _refuse(parser, f"{option_string} given twice for --controlnet {unit.model}")
        if key in _NUMBERS:
            low, high = _NUMBERS[key]
            if not low <= values <= high:
                _refuse(
                    parser,
                    f"{option_string} must be between {low:g} and {high:g}, got {values:g}",
                )
        unit.given.add(key)
        setattr(unit, key, values)

    @property
    def key(self) -> str:
        return self.dest.removeprefix("control_unit_")


def _refuse(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """One line and status 2, as a unit refused after reading is: the whole usage of
    ``generate`` would bury the one option that is wrong."""
    parser.exit(2, f"{parser.prog}: error: {message}\n")


class _UnitParameter(argparse.Action):
    """``--control-param NAME=VALUE``: one preprocessor parameter of the last unit. The name is
    checked against the preprocessor once the unit is complete (its preprocessor may follow)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        units = getattr(namespace, DEST, None)
        if not units:
            _refuse(parser, f"{option_string} must follow a --controlnet MODEL (the unit it sets)")
        unit = units[-1]
        name, separator, text = str(values).partition("=")
        name = name.strip()
        if not separator or not name or not text.strip():
            _refuse(
                parser, f"{option_string} takes NAME=VALUE (e.g. low_threshold=50), got {values!r}"
            )
        try:
            value = finite_float(text.strip())
        except argparse.ArgumentTypeError as error:
            _refuse(parser, f"{option_string} {name}: {error}")
        if name in unit.parameters:
            _refuse(parser, f"{option_string} {name} given twice for --controlnet {unit.model}")
        unit.parameters[name] = value


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
    group.add_argument(
        PARAM_FLAG,
        action=_UnitParameter,
        dest="control_unit_parameters",
        default=argparse.SUPPRESS,
        metavar="NAME=VALUE",
        help="one of the unit's preprocessor parameters, e.g. low_threshold=50 (repeatable), "
        "by the name it declares: "
        + "; ".join(_parameter_help(each) for each in PREPROCESSORS.values() if each.parameters)
        + ". A1111's threshold_a and threshold_b stand for the parameter on its first and "
        "second slider (canny: low_threshold, high_threshold); unset ones take their defaults",
    )


def _parameter_help(preprocessor: Preprocessor) -> str:
    names = ", ".join(each.name for each in preprocessor.parameters)
    return f"{preprocessor.name}: {names}"


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
    """Every unit of the command line checked (all of them before any picture is read, and
    before the model loads), then preprocessed with its ``--control-param`` values."""
    from sdstudio.engine.generation.controlnet.control_image import control_picture

    checked = [
        _checked_unit(index, options)
        for index, options in enumerate(getattr(args, DEST, None) or [])
    ]
    return [
        PreparedControl(choice, choice.control_map(control_picture(path)))
        for choice, path in checked
    ]


def _checked_unit(index: int, options: UnitOptions) -> tuple[UnitChoice, Path]:
    """The unit's choice and picture, every setting checked; a ``RequestError`` otherwise."""
    if options.image is None:
        raise RequestError(f"--controlnet {options.model} needs --control-image IMG")
    if not options.start < options.end:
        raise RequestError(
            f"--controlnet {options.model}: --control-start ({options.start:g}) must be "
            f"below --control-end ({options.end:g})"
        )
    preprocessor = find_preprocessor(options.preprocessor)
    parameters = _checked_parameters(index, options, preprocessor)
    find_controlnet(options.model)
    choice = UnitChoice(
        model=options.model,
        preprocessor=preprocessor.name,
        parameters=tuple(parameters.items()),
        weight=options.weight,
        start=options.start,
        end=options.end,
        mode=options.mode,
        resize=options.resize,
    )
    path = Path(options.image).expanduser()
    if not path.is_file():
        raise RequestError(f"Control image not found: {path}")
    return choice, path


def _checked_parameters(
    index: int, options: UnitOptions, preprocessor: Preprocessor
) -> dict[str, float]:
    """The unit's ``--control-param`` values by the preprocessor's names, checked together
    (ranges, canny's low not above high); a message names the unit and what it takes."""
    where = f"--controlnet {options.model} (ControlNet {index}), {PARAM_FLAG}"
    by_slider = {each.slider: each.name for each in preprocessor.parameters if each.slider}
    named: dict[str, float] = {}
    spelled: dict[str, str] = {}  # the name as given, for a message
    for given, value in options.parameters.items():
        if given == _NO_RESOLUTION:
            raise RequestError(
                f"{where} {_NO_RESOLUTION}: not taken, since preprocessors here run at the "
                "picture's own size (A1111's Preprocessor Resolution has no counterpart)"
            )
        slider = _SLIDER_SPELLINGS.get(given)
        name = by_slider.get(slider, given) if slider is not None else given
        if name in named:
            raise RequestError(f"{where}: {spelled[name]} and {given} both set {name}")
        named[name], spelled[name] = value, given
    try:
        return preprocessor.checked_parameters(named)
    except RequestError as error:
        raise RequestError(f"{where}: {error}{_spellings(by_slider)}") from None


def _spellings(by_slider: dict[int, str]) -> str:
    """The A1111 API spellings a preprocessor takes besides its own names, as a sentence."""
    aliases = [
        f"{alias} ({by_slider[slider]})"
        for alias, slider in _SLIDER_SPELLINGS.items()
        if slider in by_slider
    ]
    return f" A1111's {' and '.join(aliases)} are taken too." if aliases else ""


def control_units(prepared: Sequence[PreparedControl], width: int, height: int) -> tuple:
    """The units for a run of ``width`` × ``height``."""
    return tuple(each.unit(width, height) for each in prepared)
