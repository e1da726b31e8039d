"""The events a job yields: each payload wrapped with the id of the job it belongs to.

Payloads are the loop's own (:class:`StepEvent`, :class:`Cancelled`, :class:`Notice`), the
extensions' (:class:`PreviewImage`, :class:`ActivationViews`, :class:`AttentionMaps`) and
the job's below. Every job starts with :class:`JobStarted` and, unless its consumer stops
early, ends with :class:`JobDone`, however it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.metadata.record import GenerationRecord

Payload = TypeVar("Payload")


@dataclass(frozen=True)
class JobEvent(Generic[Payload]):
    job_id: str
    payload: Payload


@dataclass(frozen=True)
class JobStarted:
    batch_count: int  # the images the job makes in all (batch count × batch size)


@dataclass(frozen=True)
class ImageSaved:
    """A finished image, where it was saved (None when saving failed) and its record."""

    image: Image.Image
    seed: int
    path: Path | None
    record: GenerationRecord
    image_index: int = 0
    batch_count: int = 1
    frames: tuple[tuple[int, Image.Image], ...] = field(default=(), repr=False)
    # The file's parameters when they say more than ``record``'s infotext (an SD upscale adds
    # its keys); None: the record's own.
    infotext: str | None = None


@dataclass(frozen=True)
class JobFailed:
    """The job stopped on an error; ``message`` is written for the user."""

    message: str


@dataclass(frozen=True)
class JobDone:
    """The job is over (finished, cancelled or failed)."""
