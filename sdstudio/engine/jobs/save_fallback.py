"""Keeping a finished image that could not be saved where the job said (the disk filled during
the run, the folder became read-only): minutes of work are never thrown away for a save fault.

The image goes, numbered as usual and with its parameters, to ``outputs/unsaved`` under
``SDSTUDIO_HOME`` (which the history lists), and a :class:`SaveFailed` notice says why and
where; front ends show it as any notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.generation.events import Notice
from sdstudio.engine.metadata import save_generation
from sdstudio.engine.metadata.save_temporaries import TEMP_PREFIX
from sdstudio.engine.paths import unsaved_dir

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.metadata.record import GenerationRecord


@dataclass(frozen=True)
class SaveFailed(Notice):
    """The image is not where the job said; ``kept_at`` is where it went instead (None: it
    could not be kept anywhere, the notice says why)."""

    kept_at: Path | None = None


def keep_unsaved(image: Image.Image, record: GenerationRecord, error: OSError) -> SaveFailed:
    """Save ``image`` in the fallback folder after ``error``; the notice for the user."""
    why = _reason(error)
    try:
        kept = save_generation(image, record, unsaved_dir())
    except OSError as second:
        return SaveFailed(
            f"Could not save the image ({why}), nor keep it in sdstudio's own folder "
            f"({_reason(second)})."
        )
    return SaveFailed(f"Could not save the image ({why}); it was kept as {kept}", kept)


def _reason(error: OSError) -> str:
    """The error as a person reads it: "No space left on device: /photos" (the folder, not
    the hidden temporary file the save was writing)."""
    if not (error.strerror and error.filename):
        return error.strerror or str(error)
    where = Path(error.filename)
    if where.name.startswith(TEMP_PREFIX):
        where = where.parent
    return f"{error.strerror}: {where}"
