"""Reading an init image from disk with a message a user understands when it fails."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sdstudio.engine.errors import InitImageError
from sdstudio.engine.generation.picture_file import load_picture


def load_init_image(path: str | Path) -> Image.Image:
    """Open and fully decode an image as RGB (a truncated file fails here, not mid-run),
    upright and scaled to fit a run (see :mod:`.picture_file`)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise InitImageError(f"Init image not found: {file}")
    return load_picture(file, InitImageError).convert("RGB")
