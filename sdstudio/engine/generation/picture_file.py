"""Opening a picture the user chose (an init image, a mask) as they see it, at a size a run can
use, without the memory a camera's or a scanner's full resolution would take.

- It is turned upright as its EXIF orientation says (a phone's portrait photo is stored
  sideways), as every image viewer shows it.
- A picture larger than :data:`MAX_LOADED_SIDE` on a side (the largest size a run makes,
  ``MAX_SIDE``) is scaled down to fit while it loads: a JPEG is decoded at 1/2, 1/4 or 1/8 of
  its size (a 13000×13000 one peaks near 0.35 GB instead of 1.3 GB), other formats are
  decoded whole once and reduced in place, and the run then holds a 4096-pixel picture, not
  the full one. Inpainting the masked area only pastes back into this scaled picture.
- A picture of more pixels than Pillow's decompression-bomb limit (twice
  ``Image.MAX_IMAGE_PIXELS``, where Pillow itself refuses to open a file) is refused with a
  message; one between that and ``MAX_IMAGE_PIXELS``, which Pillow only warns about, is scaled
  down as any large picture.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.settings import MAX_SIDE

MAX_LOADED_SIDE = MAX_SIDE
_NEAREST_ONLY_MODES = ("1", "P", "PA")  # scaling these would pick pixels, not average them


def load_picture(file: Path, error: type[UserFacingError], noun: str = "an image") -> Image.Image:
    """``file`` fully decoded, upright and at most :data:`MAX_LOADED_SIDE` on a side, in its
    own mode; ``error`` with a message for a file that is not ``noun`` or is too large."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as opened:
                picture = _scaled_while_loading(opened)
                ImageOps.exif_transpose(picture, in_place=True)
                return picture
    except Image.DecompressionBombError:
        raise error(_too_large(file)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as problem:
        raise error(f"Cannot read {file.name} as {noun}: {problem}") from problem


def _too_large(file: Path) -> str:
    limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)  # where Image.open raises
    return (
        f"{file.name} is too large: sdstudio opens pictures of at most {limit:,} pixels; "
        f"scale it down to at most {MAX_LOADED_SIDE} pixels on a side first"
    )


def _scaled_while_loading(image: Image.Image) -> Image.Image:
    """The decoded picture, reduced to fit ``MAX_LOADED_SIDE`` when it is larger."""
    box = (MAX_LOADED_SIDE, MAX_LOADED_SIDE)
    if max(image.size) <= MAX_LOADED_SIDE:
        image.load()
        return image
    image.draft(None, box)  # JPEG: decode at a reduced scale still at least the box's size
    image.load()
    if image.mode in _NEAREST_ONLY_MODES:
        has_alpha = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail(box, Image.Resampling.LANCZOS)
    return image
