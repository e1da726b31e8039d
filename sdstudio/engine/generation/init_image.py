"""Reading an init image from disk with a message a user understands when it fails."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from sdstudio.engine.errors import InitImageError


def load_init_image(path: str | Path) -> Image.Image:
    """Open and fully decode an image as RGB (a truncated file fails here, not mid-run)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise InitImageError(f"Init image not found: {file}")
    try:
        with Image.open(file) as image:
            image.load()
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise InitImageError(f"Cannot read {file.name} as an image: {error}") from error
