"""'Restore settings': turn an image's parameters back into GenerationRequest keyword arguments.

Only values that would make a valid request are returned, each checked with the request's own
validation, so a damaged or foreign file can never put the controls into an impossible state.
Values that were found but cannot be used are listed in words, for a note to the user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, SCHEDULERS
from sdstudio.engine.generation.settings import setting_fields
from sdstudio.engine.metadata.controlnet_infotext import controlnet_notes, controlnet_params
from sdstudio.engine.metadata.infotext import Infotext
from sdstudio.engine.metadata.infotext_settings import read_settings_params
from sdstudio.engine.metadata.png_chunks import ImageMetadata
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.networks.hashes import parse_hashes
from sdstudio.engine.networks.relink import (
    BeforeHashing,
    missing_embeddings,
    relink_loras,
)

LATENT_UPSCALER = "Latent"  # A1111's default hires upscaler
HASH_SUFFIX = re.compile(r"\[[0-9a-fA-F]{8,}\]$")  # the space before it is stripped apart


@dataclass(frozen=True)
class RestoredSettings:
    """``settings`` can be passed to ``dataclasses.replace(request, **settings)``."""

    settings: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def restore_settings(
    metadata: ImageMetadata,
    *,
    hash_files: bool = True,
    before_hashing: BeforeHashing | None = None,
) -> RestoredSettings:
    """Settings from our record when there is one, else from A1111's infotext, else none.

    A LoRA the picture names that is not here by name is looked for by its recorded hash,
    which may mean hashing the LoRA library (seconds for gigabytes, once: hashes are cached):
    call off the GUI thread. Without ``hash_files`` only known hashes are used, and
    ``HashingNeeded`` (from ``relink``) is raised when a file would have to be read;
    ``before_hashing`` hears of each file about to be hashed (see :func:`relink_loras`)."""
    hashing = {"hash_files": hash_files, "before_hashing": before_hashing}
    if metadata.record is not None:
        return settings_from_record(metadata.record, **hashing)
    if metadata.infotext is not None:
        return settings_from_infotext(metadata.infotext, **hashing)
    return RestoredSettings()


def settings_from_record(
    record: GenerationRecord,
    *,
    hash_files: bool = True,
    before_hashing: BeforeHashing | None = None,
) -> RestoredSettings:
    """Our record names the scheduler exactly as it was requested, so it reproduces exactly."""
    found = {
        each.name: getattr(record, each.name) for each in setting_fields() if each.setting.recorded
    }
    skipped = _relinked(found, parse_hashes(record.lora_hashes), hash_files, before_hashing)
    skipped += missing_embeddings(parse_hashes(record.ti_hashes))
    skipped += controlnet_notes(controlnet_params(map(str, record.controlnets or ())))
    return _validated(found, skipped)


def settings_from_infotext(
    infotext: Infotext,
    *,
    hash_files: bool = True,
    before_hashing: BeforeHashing | None = None,
) -> RestoredSettings:
    """Settings from A1111's text, reading each value the way A1111 writes it."""
    params = infotext.params
    read, skipped = read_settings_params(params)
    found: dict[str, Any] = {
        "prompt": infotext.prompt,
        "negative_prompt": infotext.negative_prompt,
        **read,
    }
    lora_hashes = parse_hashes(params.get("Lora hashes", ""))
    skipped += _relinked(found, lora_hashes, hash_files, before_hashing)
    skipped += missing_embeddings(parse_hashes(params.get("TI hashes", "")))
    skipped += controlnet_notes(params)
    if found.get("refiner"):
        # A1111 writes "Refiner: sd_xl_refiner_1.0 [7440042bbd]": the name, then its hash.
        found["refiner"] = HASH_SUFFIX.sub("", found["refiner"]).rstrip()
    if "scheduler" in found:
        skipped += _scheduler_by_our_name(found, "scheduler", params, "Schedule type", "Sampler")
    skipped += _hires_from_infotext(found, params)
    return _validated(found, skipped)


def _scheduler_by_our_name(
    found: dict[str, Any], key: str, params: Mapping[str, str], schedule_key: str, label: str
) -> list[str]:
    """``found[key]``, an A1111 sampler (with its ``schedule_key`` type, "Karras"...), as
    sdstudio's scheduler name; dropped with a note naming ``label`` when there is none."""
    sampler = found.pop(key)
    scheduler = scheduler_for(sampler, params.get(schedule_key, ""))
    if scheduler is None:
        return [f"{label} {sampler!r} is not available in sdstudio"]
    found[key] = scheduler
    return []


def _hires_from_infotext(found: dict[str, Any], params: Mapping[str, str]) -> list[str]:
    """A1111's hires sampler by our name, and its hires fix from before "Hires upscaler"
    was written (a factor or a resize alone: its default upscaler, "Latent")."""
    skipped = []
    if found.get("hires_sampler"):
        skipped += _scheduler_by_our_name(
            found, "hires_sampler", params, "Hires schedule type", "Hires sampler"
        )
    sized = "Hires upscale" in params or "Hires resize" in params
    if sized and "Hires upscaler" not in params:
        found["hires_upscaler"] = LATENT_UPSCALER
        if "strength" in found:  # read as img2img's while the hires fix seemed off
            found["hires_denoise"] = found.pop("strength")
    return skipped


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


def _relinked(
    found: dict[str, Any],
    lora_hashes: dict[str, str],
    hash_files: bool = True,
    before_hashing: BeforeHashing | None = None,
) -> list[str]:
    """Point the prompt's LoRA tags at local files (by name, else by hash); returns what is
    missing. The tags stay in the prompt either way."""
    prompt, missing = relink_loras(
        found.get("prompt", ""),
        lora_hashes,
        hash_files=hash_files,
        before_hashing=before_hashing,
    )
    found["prompt"] = prompt
    return missing


def _cut_to_length(found: dict[str, Any], skipped: list[str]) -> None:
    """A text longer than its setting allows (a 1 MB prompt in a stranger's PNG) is cut to
    the allowed length, with a note, rather than dropped: the user still gets its start."""
    for each in setting_fields():
        value = found.get(each.name)
        limit = each.setting.max_length
        if isinstance(value, str) and limit is not None and len(value) > limit:
            found[each.name] = value[:limit]
            noun = each.setting.label_in_sentence
            skipped.append(
                f"the {noun} was cut to its first {limit:,} characters (of {len(value):,})"
            )


def _validated(found: dict[str, Any], skipped: list[str]) -> RestoredSettings:
    """Keep each value only if a request with it alone would be valid; settings written
    together (width and height as "Size") are kept or skipped together."""
    _cut_to_length(found, skipped)
    settings: dict[str, Any] = {}
    for candidate in _together(found):
        try:
            GenerationRequest(**candidate)
        except RequestError as error:
            skipped.append(str(error))
        except (TypeError, OverflowError):
            described = ", ".join(f"{name} {value!r}" for name, value in candidate.items())
            skipped.append(f"{described} cannot be used")
        else:
            settings.update(candidate)
    return RestoredSettings(settings, skipped)


def _together(found: dict[str, Any]) -> list[dict[str, Any]]:
    """``found`` split into the groups that are checked as one (by infotext key)."""
    groups: dict[str, dict[str, Any]] = {}
    for each in setting_fields():
        if each.name in found:
            key = each.setting.infotext or each.name
            groups.setdefault(key, {})[each.name] = found[each.name]
    return list(groups.values())
