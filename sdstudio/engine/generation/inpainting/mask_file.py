"""Reading a mask from disk: any image mode becomes 8-bit gray, white meaning repaint."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sdstudio.engine.errors import MaskError
from sdstudio.engine.generation.inpainting.mask_image import as_gray_mask, check_not_empty
from sdstudio.engine.generation.picture_file import load_picture


def load_mask(path: str | Path) -> Image.Image:
    """The mask in ``path`` as an ``L`` image, upright as its init image is (see
    :mod:`..picture_file`); a message for a missing, unreadable or all-black file (it would
    repaint nothing)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise MaskError(f"Mask not found: {file}")
    mask = as_gray_mask(load_picture(file, MaskError, noun="a mask image"))
    check_not_empty(mask, file.name)
    return mask
