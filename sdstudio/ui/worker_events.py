"""What the generation worker tells the window: one typed value per event, on one signal.

Run events carry the id of the job they belong to, so a queue can tell its jobs apart.
Images are QImages (cheap to pass between threads); nothing here is a widget or a QPixmap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QImage

from sdstudio.engine.generation.request import GenerationRequest

if TYPE_CHECKING:
    from sdstudio.engine.models.load_progress import LoadProgress
    from sdstudio.ui.probes.messages import ActivationFrame, AttentionResult, RecordedActivations


@dataclass(frozen=True)
class ModelLoading:
    """Loading ``spec`` started."""

    spec: str


@dataclass(frozen=True)
class ModelProgress:
    """How far the load under way is (throttled)."""

    progress: LoadProgress


@dataclass(frozen=True)
class ModelReady:
    """A model is ready. ``model`` (a ``LoadedModel``) is for reading its module structure;
    it runs on the worker thread only. ``counter`` (a ``PromptCounter``, with its own copy of
    the tokenizer) counts prompt tokens on the window's thread."""

    name: str
    description: str
    model: Any = field(repr=False, compare=False)
    counter: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ModelFailed:
    """Loading failed; when the previous model is still loaded, a ``ModelReady`` for it
    follows."""

    message: str


@dataclass(frozen=True)
class RunStarted:
    job_id: str
    batch_count: int


@dataclass(frozen=True)
class RunProgress:
    """Step ``step`` of ``total`` of image ``image_index``, ``elapsed`` seconds after the
    job's first step. With a batch size above 1, ``image_index`` and ``batch_count`` count
    batches: their images step together."""

    job_id: str
    step: int
    total: int
    image_index: int
    batch_count: int
    elapsed: float
    batch_size: int = 1
    tiles: bool = False  # an SD upscale: ``image_index`` of ``batch_count`` counts its tiles


@dataclass(frozen=True)
class PreviewFrame:
    """One decoded preview: what step ``step`` of ``total`` looked like."""

    step: int
    total: int
    image: QImage


@dataclass(frozen=True)
class StepPreview:
    """The newest preview of the running job (stale ones are skipped, never queued)."""

    job_id: str
    frame: PreviewFrame


@dataclass(frozen=True)
class FinishedImage:
    """A finished image, where it was saved (None if saving failed) and how it was made."""

    job_id: str
    image: QImage
    path: Path | None
    seed: int
    request: GenerationRequest
    image_index: int = 0
    batch_count: int = 1
    frames: tuple[PreviewFrame, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class StepActivations:
    """The newest step's pictures of the watched modules (stale steps are skipped)."""

    job_id: str
    frames: tuple[ActivationFrame, ...]


@dataclass(frozen=True)
class ImageActivations:
    """Every recorded picture of the watched modules for an image that finished."""

    job_id: str
    recorded: RecordedActivations


@dataclass(frozen=True)
class AttentionReady:
    """The per-token cross-attention maps of an image that finished."""

    job_id: str
    result: AttentionResult


@dataclass(frozen=True)
class RunCancelled:
    """The job stopped at the user's request after ``after_step`` steps of its image."""

    job_id: str
    after_step: int


@dataclass(frozen=True)
class RunFailed:
    """The job failed; ``message`` is written for the user."""

    job_id: str
    message: str


@dataclass(frozen=True)
class Notice:
    """Something worth telling the user that did not stop the job; ``topic`` is the
    engine's (``"previews"``: the job's previews could not be made)."""

    job_id: str
    text: str
    topic: str = ""


@dataclass(frozen=True)
class RunDone:
    """The job is over, however it ended; ``next_job_id`` is the job the worker took from
    the hand-off (:mod:`~sdstudio.ui.job_handoff`) and is running now, if any."""

    job_id: str
    next_job_id: str | None = None


@dataclass(frozen=True)
class _Posted:
    """Worker to host only: a value waits in one of the host's latest-value slots (tagged
    there with its job's id)."""
