"""A job's ControlNet units in the queue file: settings as JSON, each control image a PNG.

A unit's control image is already preprocessed and at its run's size, so the PNG is the
picture the ControlNet reads, restored pixel for pixel. A unit given as a file is copied into
the queue's folder, so a later change to that file does not change a waiting job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from sdstudio.engine.generation.controlnet.control_image import control_picture
from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit
from sdstudio.engine.generation.controlnet.unit import ControlUnit

_DESCRIPTIONS = ("resize_mode", "threshold_a", "threshold_b")


def unit_entry(unit: ControlUnit, images: Path, file_stem: str) -> dict[str, Any]:
    """``unit``'s settings, its image written once as ``images/<file_stem>.png``."""
    file = images / f"{file_stem}.png"
    if not file.is_file():  # a job's images never change: written once
        control_picture(unit.image).save(file)
    entry: dict[str, Any] = {
        "model": unit.model,
        "weight": unit.weight,
        "start": unit.start,
        "end": unit.end,
        "mode": unit.mode,
        "preprocessor": unit.preprocessor,
        "image": file.name,
    }
    if isinstance(unit, DescribedUnit):
        entry["described"] = {name: getattr(unit, name) for name in _DESCRIPTIONS}
    return entry


def unit_from_entry(entry: dict[str, Any], read_image: Callable[[str], Image.Image]) -> ControlUnit:
    """The unit ``entry`` describes; ``read_image(name)`` reads its PNG (and raises when it
    is gone). Settings a unit cannot run with raise ``RequestError``, as a new unit would."""
    settings = {
        "model": str(entry["model"]),
        "image": read_image(str(entry["image"])),
        "weight": float(entry["weight"]),
        "start": float(entry["start"]),
        "end": float(entry["end"]),
        "mode": str(entry["mode"]),
        "preprocessor": str(entry["preprocessor"]),
    }
    described = entry.get("described")
    if not isinstance(described, dict):
        return ControlUnit(**settings)
    return DescribedUnit(
        **settings,
        resize_mode=_optional_text(described.get("resize_mode")),
        threshold_a=_optional_number(described.get("threshold_a")),
        threshold_b=_optional_number(described.get("threshold_b")),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"a ControlNet threshold must be a number, not {value!r}")
    return value
