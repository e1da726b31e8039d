"""The schema's settings as A1111 infotext ``key: value`` pairs, and read back from them.

Settings with an ``infotext`` key are written in schema order; settings of one section that
share a key are written together as ``AxB`` (``Size: 512x768``), or left out together when
all of them are at defaults they are omitted at (no ``Hires resize: 0x0``). A key used by
several sections has alternatives that are never in use together (A1111's "Denoising
strength" is img2img's strength, or in txt2img the hires pass's): the first one written is
written, and a value read back goes to the alternative whose ``needs`` hold, else to the one
without any. Numbers are written the way A1111 writes them, and read back the way A1111 and
other tools write them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sdstudio.engine.generation.settings import SECTIONS, SettingField, setting_fields

PART_SEPARATOR = "x"


def format_number(value: float) -> str:
    """``7`` rather than ``7.0``, full precision otherwise (``0.123456789`` stays exact)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def infotext_groups(sections: Iterable[type] = SECTIONS) -> dict[str, list[SettingField]]:
    """Each infotext key and the settings written under it, in schema order."""
    groups: dict[str, list[SettingField]] = {}
    for each in setting_fields(sections):
        if each.setting.infotext is not None:
            groups.setdefault(each.setting.infotext, []).append(each)
    return groups


def alternatives(group: list[SettingField]) -> list[list[SettingField]]:
    """The settings of one key split by section, in schema order: each is written alone."""
    by_section: dict[type, list[SettingField]] = {}
    for each in group:
        by_section.setdefault(each.section, []).append(each)
    return list(by_section.values())


def settings_params(
    values: Mapping[str, Any], sections: Iterable[type] = SECTIONS
) -> dict[str, str]:
    """The infotext pairs of ``values`` (setting name → value); settings not in it are left out."""
    params: dict[str, str] = {}
    for key, group in infotext_groups(sections).items():
        for parts in alternatives(group):
            if all(each.name in values for each in parts) and _written(parts, values):
                params[key] = PART_SEPARATOR.join(
                    _value_text(each, values[each.name]) for each in parts
                )
                break
    return params


def _written(parts: list[SettingField], values: Mapping[str, Any]) -> bool:
    """Empty text is left out (no refiner: no "Refiner: "), and so is a setting whose
    ``needs`` is empty (no "Refiner switch at" without a refiner) or has another value (no
    "Masked area padding" for the whole picture), and settings omitted at their defaults
    when all of them are there (no "CFG Rescale φ: 0")."""
    if any(values.get(each.name) == "" or not needs_hold(each, values) for each in parts):
        return False
    return not all(
        each.setting.omitted_at_default and values.get(each.name) == each.field.default
        for each in parts
    )


def needs_hold(each: SettingField, values: Mapping[str, Any]) -> bool:
    """Whether every condition of ``each``'s ``needs`` holds in ``values``: a setting that is
    set (not empty), or that has a value (compared as text: ``hires_resize_x=0``)."""
    for condition in each.setting.conditions:
        needed, _, wanted = condition.partition("=")
        value = values.get(needed, "")
        if (str(value) != wanted) if wanted else value == "":
            return False
    return True


def read_settings_params(
    params: Mapping[str, str], sections: Iterable[type] = SECTIONS
) -> tuple[dict[str, Any], list[str]]:
    """(setting name → value, what could not be read in words) from infotext pairs."""
    found: dict[str, Any] = {}
    skipped: list[str] = []
    shared: list[tuple[str, list[list[SettingField]]]] = []  # keys of several sections
    for key, group in infotext_groups(sections).items():
        if key not in params:
            for each in group:
                if each.setting.omitted_at_default:
                    found[each.name] = each.field.default
            continue
        choices = alternatives(group)
        if len(choices) == 1:
            _read_into(found, skipped, key, params[key], choices[0])
        else:
            shared.append((key, choices))
    for key, choices in shared:  # once the settings their ``needs`` name are read
        _read_into(found, skipped, key, params[key], _reader_of(choices, found))
    return found, skipped


def _read_into(
    found: dict[str, Any], skipped: list[str], key: str, text: str, parts: list[SettingField]
) -> None:
    try:
        found.update(_read_group(parts, text))
    except ValueError:
        skipped.append(f"{key} {text!r} is not a value sdstudio can use")


def _reader_of(choices: list[list[SettingField]], found: Mapping[str, Any]) -> list[SettingField]:
    """The alternative a shared key's value belongs to: the first whose ``needs`` hold in
    what was read (the hires pass's strength when the hires fix is on), else the first that
    needs nothing."""
    for parts in choices:
        if any(each.setting.needs for each in parts) and all(
            needs_hold(each, found) for each in parts
        ):
            return parts
    return next(
        (parts for parts in choices if not any(each.setting.needs for each in parts)), choices[0]
    )


def _value_text(each: SettingField, value: Any) -> str:
    if each.value_type is float:
        return format_number(value)
    if isinstance(value, str):
        return each.setting.infotext_name(value)
    return str(value)


def _read_group(group: list[SettingField], text: str) -> dict[str, Any]:
    parts = text.lower().split(PART_SEPARATOR) if len(group) > 1 else [text]
    if len(parts) != len(group):
        raise ValueError(text)
    return {each.name: _read_value(each, part) for each, part in zip(group, parts, strict=True)}


def _read_value(each: SettingField, text: str) -> Any:
    if each.value_type is bool:
        return read_bool(text)
    if each.value_type is int:
        return _read_int(text)
    if each.value_type is float:
        return _read_float(text)
    return each.setting.value_from_infotext(text)


def read_bool(text: str) -> bool:
    """A1111 writes flags as ``True``/``False``; settings.ini may hold ``true``, ``1``…"""
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError(text)


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
