"""'Restore settings': turn an image's parameters back into GenerationRequest keyword arguments.

Only values that would make a valid request are returned, each checked with the request's own
validation, so a damaged or foreign file can never put the controls into an impossible state.
Values that were found but cannot be used are listed in words, for a note to the user.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, SCHEDULERS
from sdstudio.engine.metadata.infotext import Infotext
from sdstudio.engine.metadata.png_chunks import ImageMetadata
from sdstudio.engine.metadata.record import GenerationRecord


@dataclass(frozen=True)
class RestoredSettings:
    """``settings`` can be passed to ``dataclasses.replace(request, **settings)``."""

    settings: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def restore_settings(metadata: ImageMetadata) -> RestoredSettings:
    """Settings from our record when there is one, else from A1111's infotext, else none."""
    if metadata.record is not None:
        return settings_from_record(metadata.record)
    if metadata.infotext is not None:
        return settings_from_infotext(metadata.infotext)
    return RestoredSettings()


def settings_from_record(record: GenerationRecord) -> RestoredSettings:
    """Our record names the scheduler exactly as it was requested, so it reproduces exactly."""
    return _validated(
        {
            "prompt": record.prompt,
            "negative_prompt": record.negative_prompt,
            "steps": record.steps,
            "cfg_scale": record.cfg_scale,
            "seed": record.seed,
            "size": (record.width, record.height),
            "scheduler": record.scheduler,
            "strength": record.strength,
        },
        [],
    )


def settings_from_infotext(infotext: Infotext) -> RestoredSettings:
    """Settings from A1111's text, reading each value the way A1111 writes it."""
    params = infotext.params
    found: dict[str, Any] = {"prompt": infotext.prompt, "negative_prompt": infotext.negative_prompt}
    skipped: list[str] = []
    readers = (
        ("Steps", "steps", _read_int),
        ("CFG scale", "cfg_scale", _read_float),
        ("Seed", "seed", _read_int),
        ("Size", "size", _read_size),
        ("Denoising strength", "strength", _read_float),
    )
    for key, name, reader in readers:
        if key in params:
            try:
                found[name] = reader(params[key])
            except ValueError:
                skipped.append(f"{key} {params[key]!r} is not a number sdstudio can use")
    if "Sampler" in params:
        scheduler = scheduler_for(params["Sampler"], params.get("Schedule type", ""))
        if scheduler is None:
            skipped.append(f"Sampler {params['Sampler']!r} is not available in sdstudio")
        else:
            found["scheduler"] = scheduler
    return _validated(found, skipped)


def scheduler_for(sampler: str, schedule_type: str = "") -> str | None:
    """Our scheduler name for an A1111 sampler (newer A1111 writes "Karras" separately)."""
    by_lower = {name.lower(): name for name in (MODEL_DEFAULT, *SCHEDULERS)}
    sampler = sampler.strip()
    schedule = schedule_type.strip()
    if schedule and schedule.lower() not in ("automatic", "uniform", "normal"):
        combined = by_lower.get(f"{sampler} {schedule}".lower())
        if combined is not None:
            return combined
    return by_lower.get(sampler.lower())


def _validated(found: dict[str, Any], skipped: list[str]) -> RestoredSettings:
    """Keep each value only if a request with it alone would be valid."""
    settings: dict[str, Any] = {}
    for name, value in found.items():
        candidate = {"width": value[0], "height": value[1]} if name == "size" else {name: value}
        try:
            GenerationRequest(**{"prompt": "", **candidate})
        except RequestError as error:
            skipped.append(str(error))
        except (TypeError, OverflowError):
            skipped.append(f"{name} {value!r} cannot be used")
        else:
            settings.update(candidate)
    return RestoredSettings(settings, skipped)


def _read_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _read_int(text: str) -> int:
    number = float(text)
    if not number.is_integer():
        raise ValueError(text)
    return int(text) if text.strip().lstrip("-").isdigit() else int(number)


def _read_size(text: str) -> tuple[int, int]:
    width, separator, height = text.lower().partition("x")
    if not separator:
        raise ValueError(text)
    return _read_int(width), _read_int(height)
