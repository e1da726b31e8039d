"""What "Upscale…" does, as plain values and one function that runs off the GUI thread: read
the picture (and its text chunks), upscale it, save it as the next numbered PNG with A1111's
postprocessing line."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtGui import QImage

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.picture_file import load_picture
from sdstudio.engine.memory import run_guarded
from sdstudio.engine.metadata.png_chunks import ImageReadError, read_text_chunks
from sdstudio.engine.metadata.postprocessing import save_upscaled, upscale_line
from sdstudio.engine.upscalers import upscale
from sdstudio.ui.image_convert import pil_to_qimage, qimage_to_pil


@dataclass(frozen=True)
class UpscaleSource:
    """The picture to upscale: its file when it has one (read again, with its text chunks),
    else the pixels shown (``image``). ``seed`` names the result when no parameters do."""

    name: str
    width: int
    height: int
    path: Path | None = None
    image: QImage | None = None
    seed: int | None = None


@dataclass(frozen=True)
class RefineChoice:
    """A1111's "SD upscale" after the upscale: each ``tile`` × ``tile`` tile (sharing
    ``overlap`` pixels) redrawn by img2img at denoising ``strength``."""

    strength: float
    tile: int
    overlap: int


@dataclass(frozen=True)
class UpscaleChoice:
    """The upscaler (Lanczos, Nearest or a model's name), the factor, and the refinement
    (None: the upscale alone, run by :func:`upscale_source`; with one, the window queues an
    SD upscale job for the model)."""

    upscaler: str
    scale: float
    refine: RefineChoice | None = None


@dataclass(frozen=True)
class UpscaledPicture:
    path: Path
    image: QImage


def upscale_source(
    source: UpscaleSource,
    choice: UpscaleChoice,
    output_dir: Path | None,
    device: str,
    cancel: CancelToken,
    on_tile: Callable[[int, int], None] | None = None,
) -> UpscaledPicture:
    """Upscale ``source`` as ``choice`` says and save it in ``output_dir`` (today's outputs
    folder when None). Raises ``UserFacingError`` for what the user can fix (an unreadable
    file, a refused model, too little memory), ``UpscaleCancelled``, or ``OSError`` when the
    PNG cannot be written."""
    picture = source_picture(source)
    texts: dict[str, str] = {}
    if source.path is not None:
        with contextlib.suppress(ImageReadError):  # the pixels were read: go on without text
            texts = read_text_chunks(source.path)
    result = run_guarded(
        lambda: upscale(
            picture, choice.upscaler, choice.scale, device=device, cancel=cancel, on_tile=on_tile
        ),
        doing="upscaling",
    )
    line = upscale_line(choice.upscaler, choice.scale)
    path = save_upscaled(result, texts, line, output_dir, source.seed)
    return UpscaledPicture(path, pil_to_qimage(result))


def source_picture(source: UpscaleSource) -> Image.Image:
    """``source``'s pixels: its file read again, else the picture shown
    (``UserFacingError`` when there is neither, or the file cannot be read)."""
    if source.path is not None:
        return load_picture(source.path, UserFacingError, "a picture")
    if source.image is not None and not source.image.isNull():
        return qimage_to_pil(source.image)
    raise UserFacingError("There is no picture to upscale.")
