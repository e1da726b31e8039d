"""Saving a job's finished image with the settings that made it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.metadata import GenerationRecord, model_hash_if_ready, png_info, record_for
from sdstudio.engine.metadata.autosave import png_file, save_file_to, save_numbered_file
from sdstudio.engine.metadata.controlnet_infotext import unit_texts

if TYPE_CHECKING:
    from sdstudio.engine.generation.events import ImageFinished
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.networks.selection import NetworkSelection


def record_of(
    job: Job, model: LoadedModel, finished: ImageFinished, networks: NetworkSelection | None = None
) -> GenerationRecord:
    """The image's record: its own seed, the model (hash once known), the preview choice,
    the ControlNet units, and the hashes of the LoRAs and embeddings that ran."""
    model_hash = model_hash_if_ready(model.source)
    record = record_for(job.request, model, finished.seed, model_hash, preview=job.previews)
    if job.controlnets:
        record = replace(record, controlnets=unit_texts(job.controlnets))
    if networks is None:
        return record
    return replace(
        record, lora_hashes=networks.lora_hashes(), ti_hashes=networks.embedding_hashes()
    )


def save_finished(
    job: Job, finished: ImageFinished, record: GenerationRecord, file: bytes | None = None
) -> Path:
    """Autosave under a new number, or write the file the user named (``-N`` in a batch).
    ``file``: the image's PNG file made already with ``record``'s chunks (a server makes
    it, see :func:`~sdstudio.engine.metadata.autosave.png_file`), written as it is."""
    data = file if file is not None else png_file(finished.image, png_info(record))
    return save_job_file(job, data, record.seed, finished.image_index, finished.batch_count)


def save_job_file(
    job: Job, data: bytes, seed: int, image_index: int = 0, batch_count: int = 1
) -> Path:
    """The PNG file ``data`` where ``job`` saves: under a new number ending in ``seed``, or
    as the file the user named (``-N`` for image ``image_index`` of a batch)."""
    target = job.saving.file
    if target is None:
        return save_numbered_file(data, str(seed), job.saving.output_dir)
    path = Path(target).expanduser()
    if batch_count > 1:
        path = path.with_name(f"{path.stem}-{image_index + 1}{path.suffix}")
    return save_file_to(data, path)
