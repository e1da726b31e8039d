"""Where a finished image goes. The one place to change when saving gains metadata."""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

from sdstudio.engine.request import GenerationRequest


def save_result(
    image: Image.Image,
    request: GenerationRequest,
    seed: int,
    output_dir: Path | None = None,
) -> Path:
    """Write ``image`` as a PNG in ``output_dir`` (default: ``outputs_dir()``) and return its path.

    Names are ``<date>-<time>-<seed>.png``; an existing file is never overwritten.
    ``request`` is what metadata will be written from.
    """
    if output_dir is None:
        from sdstudio.engine.paths import outputs_dir

        output_dir = outputs_dir()
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{seed}"
    for counter in range(1, 10_000):
        path = output_dir / (f"{stem}.png" if counter == 1 else f"{stem}-{counter}.png")
        try:
            with path.open("xb") as file:
                image.save(file, format="PNG")
        except FileExistsError:
            continue
        return path
    raise OSError(f"Too many images named {stem}*.png in {output_dir}")
