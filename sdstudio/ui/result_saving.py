"""Where a finished image goes: a numbered PNG that carries the settings that made it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.metadata import model_hash_if_ready, record_for, save_generation

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import LoadedModel


def save_result(
    image: Image.Image,
    request: GenerationRequest,
    model: LoadedModel,
    seed: int,
    output_dir: Path | None = None,
    preview_kind: str = "none",
) -> Path:
    """Save ``image`` as ``NNNNN-<seed>.png`` with A1111 ``parameters`` and our full record.

    ``output_dir`` defaults to ``SDSTUDIO_HOME/outputs/<date>``; nothing is ever overwritten
    and a failed write leaves no partial file. Runs on the worker thread.
    """
    from sdstudio.engine.previews import PreviewSettings

    record = record_for(
        request,
        model,
        seed,
        model_hash_if_ready(model.source),
        preview=PreviewSettings(kind=preview_kind),
    )
    return save_generation(image, record, output_dir)
