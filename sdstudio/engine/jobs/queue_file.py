"""The job queue on disk (``SDSTUDIO_HOME/queue``): pending jobs survive closing the window.

``queue.json`` holds each job's settings (every schema setting, by name), its preview, probe,
saving and folder options, its ControlNet units, the model it names, its state and, for a
job sent to an ``sdstudio serve`` server, that server's address (never its token: that stays
in settings.ini; older files have none: their jobs run here); init images, masks and control
images are PNGs in ``images/`` beside it. Every save writes a new file and renames it over
the old one, so a crash leaves the previous queue whole. A file that cannot be read is set
aside (renamed with the time) with a message, and the queue starts empty: never a crash at
start.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from PIL import Image

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.settings import setting_fields
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.queued_units import unit_entry, unit_from_entry
from sdstudio.engine.networks.selection import NetworkFolders
from sdstudio.engine.previews.settings import PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.probes.views import CfgHalf, ViewMode, ViewSettings
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage
from sdstudio.engine.sd_upscale.tile_grid import DEFAULT_OVERLAP

QUEUE_FORMAT = 1
QUEUE_FILE = "queue.json"
IMAGES = "images"
IMAGE_SETTINGS = ("init_image", "mask")
JOB_STATES = ("pending", "running", "done", "failed", "cancelled")
MAX_JOBS = 10_000
MAX_SERVER_CHARS = 2000  # a longer text is no server's address


@dataclass(frozen=True)
class QueuedJob:
    """A job in the queue: ``model`` is the spec it runs on ("demo", a folder…); ``server``
    the address of the server it runs on instead (None: here)."""

    job: Job
    model: str = "demo"
    state: str = "pending"
    server: str | None = None


@dataclass(frozen=True)
class LoadedQueue:
    """What was read: the jobs, and what the user should be told (a damaged file, jobs that
    could not be used); a job that was running when the app stopped is pending again."""

    jobs: list[QueuedJob]
    messages: list[str]


class QueueFile:
    """``folder/queue.json`` and ``folder/images/``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / QUEUE_FILE

    def save(self, jobs: list[QueuedJob]) -> None:
        """Write ``jobs`` atomically (images first, then the list that names them)."""
        images = self.folder / IMAGES
        images.mkdir(parents=True, exist_ok=True)
        entries = [self._entry(queued, images) for queued in jobs]
        data = {"format": QUEUE_FORMAT, "jobs": entries}
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(partial, self.path)
        self._remove_unused_images(images, entries)

    def load(self) -> LoadedQueue:
        """The saved queue; an empty one (with a message) when the file is damaged."""
        if not self.path.is_file():
            return LoadedQueue([], [])
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
                raise ValueError("not a queue")
        except (OSError, ValueError, RecursionError):
            kept = self._set_aside()
            return LoadedQueue(
                [],
                [
                    f"The saved queue was damaged; it was set aside as {kept.name} and the "
                    "queue starts empty."
                ],
            )
        jobs, messages = [], []
        for number, entry in enumerate(data["jobs"][:MAX_JOBS], start=1):
            try:
                jobs.append(self._queued(entry))
            except (UserFacingError, ValueError, TypeError, KeyError, OSError) as error:
                messages.append(f"Queued job {number} could not be restored: {error}")
        return LoadedQueue(jobs, messages)

    # -- one job ---------------------------------------------------------------------------

    def entry(self, queued: QueuedJob) -> dict[str, Any]:
        """``queued`` as its entry in ``queue.json``, its pictures written to ``images/``
        (which must exist when it has any; a job without pictures writes nothing)."""
        return self._entry(queued, self.folder / IMAGES)

    def restored(self, entry: dict[str, Any]) -> QueuedJob:
        """The job ``entry`` describes, its pictures read from ``images/``. A job that cannot
        be used raises what :meth:`load` reports (``UserFacingError``, ``ValueError``,
        ``TypeError``, ``KeyError``, ``OSError``)."""
        return self._queued(entry)

    def _entry(self, queued: QueuedJob, images: Path) -> dict[str, Any]:
        job = queued.job
        request = job.request
        settings = {
            each.name: getattr(request, each.name)
            for each in setting_fields()
            if each.name not in IMAGE_SETTINGS
        }
        files = {}
        for name in IMAGE_SETTINGS:
            image = getattr(request, name)
            if image is not None:
                file = images / f"{job.id}-{name}.png"
                if not file.is_file():  # a job's images never change: written once
                    image.save(file)
                files[name] = file.name
        server = {"server": queued.server} if queued.server else {}  # older files: none
        stage = {"sd_upscale": asdict(job.sd_upscale)} if job.sd_upscale else {}
        return {
            "id": job.id,
            "model": queued.model,
            "state": queued.state,
            **server,
            **stage,
            "settings": settings,
            "images": files,
            "previews": {**asdict(job.previews), "kind": job.previews.kind.value},
            "probes": {
                "watch": list(job.probes.watch),
                "attention": job.probes.attention,
                "view": {
                    **asdict(job.probes.view),
                    "mode": job.probes.view.mode.value,
                    "half": job.probes.view.half.value,
                },
            },
            "saving": {
                "output_dir": _text(job.saving.output_dir),
                "file": _text(job.saving.file),
                "enabled": job.saving.enabled,
            },
            "networks": {
                "loras": [str(p) for p in job.networks.loras],
                "embeddings": [str(p) for p in job.networks.embeddings],
            },
            "controlnets": [
                unit_entry(unit, images, f"{job.id}-control{index}")
                for index, unit in enumerate(job.controlnets)
            ],
        }

    def _queued(self, entry: dict[str, Any]) -> QueuedJob:
        known = {each.name for each in setting_fields()}
        settings = {k: v for k, v in entry["settings"].items() if k in known}
        for name, file_name in entry.get("images", {}).items():
            if name in IMAGE_SETTINGS:
                settings[name] = self._image_in_folder(file_name)
        request = GenerationRequest(**settings)
        previews = entry.get("previews", {})
        probes = entry.get("probes", {})
        view = probes.get("view", {})
        saving = entry.get("saving", {})
        networks = entry.get("networks", {})
        read = self._image_in_folder
        controlnets = tuple(unit_from_entry(unit, read) for unit in entry.get("controlnets", ()))
        job = Job(
            request,
            previews=PreviewSettings(**_known(PreviewSettings, previews)),
            probes=ProbeOptions(
                watch=tuple(str(path) for path in probes.get("watch", ())),
                view=ViewSettings(
                    mode=ViewMode(view.get("mode", ViewMode.CHANNELS.value)),
                    half=CfgHalf(view.get("half", CfgHalf.PROMPT.value)),
                    top_k=int(view.get("top_k", 16)),
                    min_tile=int(view.get("min_tile", 64)),
                ),
                attention=bool(probes.get("attention", False)),
            ),
            saving=SaveOptions(
                output_dir=_path(saving.get("output_dir")),
                file=_path(saving.get("file")),
                enabled=bool(saving.get("enabled", True)),
            ),
            networks=NetworkFolders(
                loras=tuple(Path(p) for p in networks.get("loras", ())),
                embeddings=tuple(Path(p) for p in networks.get("embeddings", ())),
            ),
            controlnets=controlnets,
            sd_upscale=_stage(entry.get("sd_upscale")),
            id=str(entry["id"]),
        )
        state = str(entry.get("state", "pending"))
        if state not in JOB_STATES or state == "running":
            state = "pending"  # the app stopped while it ran: it runs again
        server = entry.get("server")
        server = server.strip()[:MAX_SERVER_CHARS] if isinstance(server, str) else ""
        return QueuedJob(job, str(entry.get("model", "demo")), state, server or None)

    def _image_in_folder(self, file_name: str) -> Image.Image:
        """A job's image from ``images/`` (a name only: never a path elsewhere)."""
        return _read_image(self.folder / IMAGES / Path(file_name).name)

    def _set_aside(self) -> Path:
        kept = self.path.with_name(f"{QUEUE_FILE}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(self.path, kept)
        return kept

    def _remove_unused_images(self, images: Path, entries: list[dict[str, Any]]) -> None:
        used = {name for entry in entries for name in entry["images"].values()}
        used |= {unit["image"] for entry in entries for unit in entry["controlnets"]}
        for file in images.glob("*.png"):
            if file.name not in used:
                file.unlink(missing_ok=True)


def _stage(entry: Any) -> SdUpscaleStage | None:
    """A job's SD upscale (None for a job that has none, as files from before it)."""
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise TypeError("its SD upscale is not an object")
    return SdUpscaleStage(
        str(entry["upscaler"]), float(entry["scale"]), int(entry.get("overlap", DEFAULT_OVERLAP))
    )


def _known(kind: type, values: dict[str, Any]) -> dict[str, Any]:
    names = {spec.name for spec in fields(kind)}
    return {key: value for key, value in values.items() if key in names}


def _read_image(path: Path) -> Image.Image:
    if not path.is_file():
        raise ValueError(f"its image {path.name} is missing")
    with Image.open(path) as image:
        image.load()
        return image.copy()


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _path(text: Any) -> Path | None:
    return None if not text else Path(str(text))
