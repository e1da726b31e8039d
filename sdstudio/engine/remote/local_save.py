"""A finished image from the server, saved here as the local runner saves its own.

Same file names, the same file (the server made it as a local save does, with the server's
record and infotext, which name the model that ran), the same fallback folder with a notice
when the job's folder cannot take it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.save_fallback import keep_unsaved
from sdstudio.engine.jobs.saving import save_finished
from sdstudio.engine.metadata.png_chunks import PARAMETERS_CHUNK

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.remote.wire_events import RemoteImage


def saved_here(
    job: Job, remote: RemoteImage, frames: tuple[tuple[int, Image.Image], ...]
) -> Iterator[Any]:
    """Save ``remote`` where ``job`` says; yields a ``SaveFailed`` notice if it went to the
    fallback folder, then the :class:`ImageSaved` the local runner would yield."""
    finished = ImageFinished(remote.image, remote.seed, remote.image_index, remote.batch_count)
    path: Path | None = None
    try:
        if job.saving.enabled:
            path = save_finished(job, finished, remote.record, remote.file)
    except OSError as error:
        yield keep_unsaved(remote.image, remote.record, error)
    yield ImageSaved(
        image=remote.image,
        seed=remote.seed,
        path=path,
        record=remote.record,
        image_index=remote.image_index,
        batch_count=remote.batch_count,
        frames=frames,
        infotext=remote.image.info.get(PARAMETERS_CHUNK),
    )
