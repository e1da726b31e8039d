"""ControlNet units in A1111's infotext, as sd-webui-controlnet writes and reads them.

Each unit is one pair, ``ControlNet 0: "Module: canny, Model: control_canny, Weight: 0.7,
Resize Mode: Crop and Resize, Threshold A: 100, Threshold B: 200, Guidance Start: 0,
Guidance End: 1, Pixel Perfect: False, Control Mode: Balanced"`` (its ``scripts/infotext.py``:
the unit's fields in order, ``Display Name: value`` joined by ``, ``, the whole JSON-quoted
by A1111's infotext writer because it holds commas). Fields a unit does not have are left
out, as A1111 leaves out its unused sliders (-1); "Processor Res" is never written since
preprocessors here run at the picture's own size. The control image is not in the text, so
a unit found in an infotext is reported rather than restored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit
from sdstudio.engine.generation.controlnet.library import CONTROLNET_SUFFIX
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.metadata.infotext_settings import format_number

UNIT_KEY = re.compile(r"ControlNet (\d+)")
_FIELD_SEPARATOR = ", "
_NAME_SEPARATOR = ": "
_UNSAFE = re.compile(r"[,:\n\r]")  # A1111 refuses a unit whose values hold these


def unit_key(index: int) -> str:
    return f"ControlNet {index}"


def model_name(spec: str) -> str:
    """The name A1111 shows for a ControlNet: a file's stem or a folder's name."""
    name = Path(spec).name or spec
    return name[: -len(CONTROLNET_SUFFIX)] if name.lower().endswith(CONTROLNET_SUFFIX) else name


def unit_text(unit: ControlUnit) -> str:
    """One unit's fields in A1111's order and words."""
    fields: dict[str, str] = {
        "Module": unit.preprocessor,
        "Model": model_name(unit.model),
        "Weight": format_number(unit.weight),
    }
    if isinstance(unit, DescribedUnit):
        if unit.resize_mode is not None:
            fields["Resize Mode"] = unit.resize_mode
        if unit.threshold_a is not None:
            fields["Threshold A"] = format_number(unit.threshold_a)
        if unit.threshold_b is not None:
            fields["Threshold B"] = format_number(unit.threshold_b)
    fields["Guidance Start"] = format_number(unit.start)
    fields["Guidance End"] = format_number(unit.end)
    fields["Pixel Perfect"] = "False"
    fields["Control Mode"] = unit.control_mode.a1111_name
    return _FIELD_SEPARATOR.join(
        f"{name}{_NAME_SEPARATOR}{_UNSAFE.sub('_', value)}" for name, value in fields.items()
    )


def unit_texts(units: Iterable[ControlUnit]) -> list[str]:
    return [unit_text(unit) for unit in units]


def controlnet_params(texts: Iterable[str]) -> dict[str, str]:
    """The infotext pairs of a run's units, ``ControlNet 0`` first."""
    return {unit_key(index): text for index, text in enumerate(texts)}


def parse_unit_text(text: str) -> dict[str, str]:
    """A unit's fields by display name; pieces that are not ``Name: value`` are skipped."""
    fields: dict[str, str] = {}
    for piece in text.split(","):
        name, separator, value = piece.partition(":")
        if separator and name.strip():
            fields[name.strip()] = value.strip()
    return fields


def units_in_params(params: Mapping[str, str]) -> list[tuple[int, dict[str, str]]]:
    """(index, fields) of each ``ControlNet N`` pair, in index order."""
    found = []
    for key, value in params.items():
        match = UNIT_KEY.fullmatch(key.strip())
        if match is not None:
            found.append((int(match.group(1)), parse_unit_text(value)))
    return sorted(found, key=lambda pair: pair[0])


def controlnet_notes(params: Mapping[str, str]) -> list[str]:
    """What restoring leaves out: each unit, which needs its control image again."""
    notes = []
    for index, fields in units_in_params(params):
        module = fields.get("Module", "?")
        model = fields.get("Model", "?")
        notes.append(f"{unit_key(index)} ({module}, {model}) needs its control image: not restored")
    return notes
