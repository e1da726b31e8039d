"""A job as JSON for a server: the queue file's own entry, with its pictures inline.

The queue file (:mod:`sdstudio.engine.jobs.queue_file`) already writes every part of a
:class:`Job` (each schema setting by name, the previews, the ControlNet units) and reads it
back with the checks a new request gets. A job on the wire is that entry with each PNG
carried as base64 instead of a file name, so the server reads exactly what the queue would
and a new setting needs no wire code. What only the sending machine can use (where it saves,
its LoRA folders, its TAESD files) stays behind; the server saves nothing. An SD upscale
travels as its three fields (``sd_upscale``: upscaler, scale, overlap), its picture as the
init image; the upscaler is the server's (Lanczos, Nearest, or a model in its folder).

Both directions go through a queue folder in a temporary directory: a few small files per
job, against seconds of denoising.
"""

from __future__ import annotations

import base64
import json
import tempfile
from dataclasses import MISSING, fields, replace
from pathlib import Path
from typing import Any

from PIL import Image

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.settings import setting_fields
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.queue_file import (
    IMAGE_SETTINGS,
    IMAGES,
    QUEUE_FORMAT,
    QueuedJob,
    QueueFile,
)
from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.remote.wire_png import png_bytes
from sdstudio.engine.remote.wire_sd_upscale import check_sd_upscale_job, sd_upscale_part

# Preview options that name files or downloads of the sending machine.
LOCAL_PREVIEW_OPTIONS = ("taesd_path", "taesd_paths", "allow_download")
NO_FOLDER = Path()  # for a job without pictures: never read or written
WIRE_PARTS = ("settings", "images", "previews", "controlnets", "probes", "sd_upscale")
# A unit may name its model and image only; the rest is a new unit's.
UNIT_DEFAULTS = {
    spec.name: spec.default
    for spec in fields(ControlUnit)
    if spec.name not in ("model", "image") and spec.default is not MISSING
}


def job_to_wire(job: Job) -> dict[str, Any]:
    """``job`` as the JSON body of ``POST /jobs``."""
    if not _has_pictures(job):  # no files: a temporary folder costs more than the rest
        return _wire_entry(QueueFile(NO_FOLDER).entry(QueuedJob(job)), NO_FOLDER)
    with tempfile.TemporaryDirectory(prefix="sdstudio-wire-") as folder:
        queue = QueueFile(Path(folder))
        (queue.folder / IMAGES).mkdir()
        return _wire_entry(queue.entry(QueuedJob(job)), queue.folder / IMAGES)


def _has_pictures(job: Job) -> bool:
    request = job.request
    return bool(job.controlnets) or any(getattr(request, name) for name in IMAGE_SETTINGS)


def _wire_entry(entry: dict[str, Any], images: Path) -> dict[str, Any]:
    entry = json.loads(json.dumps(entry))  # the types the queue file holds
    stage = {"sd_upscale": entry["sd_upscale"]} if "sd_upscale" in entry else {}
    return {
        **stage,
        "settings": entry["settings"],
        "images": {name: _base64(images / file) for name, file in entry["images"].items()},
        "previews": {
            key: value
            for key, value in entry["previews"].items()
            if key not in LOCAL_PREVIEW_OPTIONS
        },
        "controlnets": [
            {**unit, "image": _base64(images / unit["image"])}
            for unit in entry.get("controlnets", ())
        ],
    }


def job_from_wire(data: object, job_id: str) -> Job:
    """The job ``data`` describes, under ``job_id``, with saving off; :class:`WireError` with
    a message for anything the API does not allow or a request could not run with."""
    if not isinstance(data, dict):
        raise WireError("A job is a JSON object with settings, images, previews and controlnets")
    unknown = sorted(set(data) - set(WIRE_PARTS))
    if unknown:
        raise WireError(f"Unknown parts of a job: {', '.join(unknown)}")
    settings = _typed_settings(_mapping(data, "settings"))
    probes = _mapping(data, "probes")
    if probes.get("watch") or probes.get("attention"):
        raise WireError("Watching modules and attention maps run only where they are shown")
    pictures = _mapping(data, "images")
    units = data.get("controlnets", [])
    if not isinstance(units, list) or not all(isinstance(unit, dict) for unit in units):
        raise WireError("'controlnets' must be a list of objects")
    stage = sd_upscale_part(data)
    job = _read_back(settings, pictures, _mapping(data, "previews"), units, stage)
    if job.sd_upscale is not None:
        check_sd_upscale_job(job)
    return replace(job, id=job_id)


def _read_back(
    settings: dict[str, Any],
    pictures: dict[str, Any],
    previews: dict[str, Any],
    units: list[dict[str, Any]],
    stage: dict[str, Any],
) -> Job:
    if not pictures and not units:  # nothing to write: no temporary folder either
        entry = {
            "id": "wire",
            **stage,
            "settings": settings,
            "previews": {k: v for k, v in previews.items() if k not in LOCAL_PREVIEW_OPTIONS},
        }
        try:
            restored = QueueFile(NO_FOLDER).restored(entry)
        except (UserFacingError, ValueError, TypeError, KeyError, OSError) as error:
            raise WireError(str(error)) from None
        return replace(restored.job, saving=SaveOptions(enabled=False))
    with tempfile.TemporaryDirectory(prefix="sdstudio-wire-") as folder:
        images = Path(folder) / IMAGES
        images.mkdir()
        files = {}
        for name, text in pictures.items():
            if name not in IMAGE_SETTINGS:
                raise WireError(f"Unknown image {name!r} (the images are {IMAGE_SETTINGS})")
            files[name] = _written(images / f"{name}.png", text, name)
        controlnets = []
        for index, unit in enumerate(units, start=1):
            if "model" not in unit:
                raise WireError(f"ControlNet unit {index} needs a 'model'")
            what = f"ControlNet unit {index}'s image"
            image = _written(images / f"control{index}.png", unit.get("image"), what)
            controlnets.append({**UNIT_DEFAULTS, **unit, "image": image})
        entry = {
            "id": "wire",
            **stage,
            "settings": settings,
            "images": files,
            "previews": {k: v for k, v in previews.items() if k not in LOCAL_PREVIEW_OPTIONS},
            "controlnets": controlnets,
        }
        queue = QueueFile(Path(folder))
        queue.path.write_text(json.dumps({"format": QUEUE_FORMAT, "jobs": [entry]}), "utf-8")
        try:
            loaded = queue.load()
        except Image.DecompressionBombError as error:
            raise WireError(f"An image has too many pixels: {error}") from None
    if loaded.messages:
        # "Queued job 1 could not be restored: <why>": the why is the message here.
        raise WireError(loaded.messages[0].partition(": ")[2] or loaded.messages[0])
    return replace(loaded.jobs[0].job, saving=SaveOptions(enabled=False))


def _typed_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` by the schema's names, each of its setting's type (a whole number is a
    float too); the request then checks their ranges."""
    fields = {each.name: each for each in setting_fields() if each.name not in IMAGE_SETTINGS}
    unknown = sorted(name for name in settings if name not in fields)
    if unknown:
        raise WireError(
            f"Unknown settings: {', '.join(unknown)} (init_image and mask go in 'images', "
            "as base64 PNGs)"
        )
    typed = {}
    for name, value in settings.items():
        kind = fields[name].value_type
        if kind is float and type(value) is int:
            value = float(value)
        if kind is not None and type(value) is not kind:
            raise WireError(f"Setting {name} must be {kind.__name__}, not {value!r:.40}")
        typed[name] = value
    return typed


def _mapping(data: dict[str, Any], part: str) -> dict[str, Any]:
    value = data.get(part, {})
    if not isinstance(value, dict):
        raise WireError(f"'{part}' must be a JSON object, not {type(value).__name__}")
    return value


def _written(file: Path, text: object, what: str) -> str:
    file.write_bytes(png_bytes(text, what))
    return file.name


def _base64(file: Path) -> str:
    return base64.b64encode(file.read_bytes()).decode("ascii")
