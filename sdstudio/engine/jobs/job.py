"""A job: one request plus how to preview, probe and save it, under an id front ends track."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.networks.selection import NetworkFolders
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage


def new_job_id() -> str:
    """Short, unique enough for one user's queue and log lines."""
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class SaveOptions:
    """Where finished images go: autosaved, numbered, into ``output_dir`` (default
    ``outputs/<date>``), or into the one ``file`` the user named (numbered within a batch).
    ``enabled=False`` is for runs whose result is something else (an attention map)."""

    output_dir: Path | None = None
    file: Path | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Job:
    """Everything a run needs besides the model; immutable so a queue can keep it."""

    request: GenerationRequest
    previews: PreviewSettings = field(default_factory=lambda: PreviewSettings(PreviewKind.NONE))
    probes: ProbeOptions = field(default_factory=ProbeOptions)
    saving: SaveOptions = field(default_factory=SaveOptions)
    networks: NetworkFolders = field(default_factory=NetworkFolders)  # LoRA/embedding folders
    controlnets: tuple[ControlUnit, ...] = ()  # run together, their residuals summed
    # A1111's SD upscale of the request's init image, the request's size being a tile's
    sd_upscale: SdUpscaleStage | None = None
    id: str = field(default_factory=new_job_id)
