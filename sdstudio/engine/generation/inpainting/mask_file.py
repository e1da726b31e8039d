"""Reading a mask from disk: any image mode becomes 8-bit gray, white meaning repaint."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from sdstudio.engine.errors import MaskError
from sdstudio.engine.generation.inpainting.mask_image import as_gray_mask, check_not_empty


def load_mask(path: str | Path) -> Image.Image:
    """The mask in ``path`` as an ``L`` image; a message for a missing, unreadable or
    all-black file (it would repaint nothing)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise MaskError(f"Mask not found: {file}")
    try:
        with Image.open(file) as image:
            image.load()
            mask = as_gray_mask(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise MaskError(f"Cannot read {file.name} as a mask image: {error}") from error
    check_not_empty(mask, file.name)
    return mask
