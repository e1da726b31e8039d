"""Parameters inside image files: written as PNG text chunks, read back from ours or others'.

Writing puts two chunks in every PNG: ``parameters`` (A1111's infotext, which other tools read)
and ``sdstudio`` (our complete :class:`GenerationRecord` as JSON). Reading prefers ours, then
A1111's ``parameters``, then ComfyUI's ``prompt``/``workflow`` JSON, which is kept as raw text
since its node graph has no settings we could restore.
"""

from __future__ import annotations

import contextlib
import enum
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, PngImagePlugin

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.metadata.infotext import Infotext, parse_infotext
from sdstudio.engine.metadata.record import GenerationRecord, RecordError

RECORD_CHUNK = "sdstudio"
PARAMETERS_CHUNK = "parameters"
COMFYUI_CHUNKS = ("prompt", "workflow")
KNOWN_CHUNKS = (RECORD_CHUNK, PARAMETERS_CHUNK, *COMFYUI_CHUNKS)


class ImageReadError(UserFacingError):
    """A path that is missing or is not an image we can open."""


class MetadataSource(enum.Enum):
    SDSTUDIO = "sdstudio"
    A1111 = "A1111 infotext"
    COMFYUI = "ComfyUI"
    NONE = "none"


@dataclass(frozen=True)
class ImageMetadata:
    """What an image says about how it was made.

    ``record`` is set for our own images, ``infotext`` whenever a ``parameters`` chunk exists
    (also ours), ``texts`` holds every text chunk as stored (ComfyUI's JSON among them).
    """

    source: MetadataSource
    record: GenerationRecord | None = None
    infotext: Infotext | None = None
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def has_parameters(self) -> bool:
        return self.source is not MetadataSource.NONE


def png_info(record: GenerationRecord) -> PngImagePlugin.PngInfo:
    """The text chunks for an image made from ``record``."""
    return record_chunks(record.infotext(), record.to_json())


def record_chunks(infotext: str, record_json: str) -> PngImagePlugin.PngInfo:
    """As :func:`png_info`, from the record's infotext and JSON made already."""
    info = parameters_info(infotext)
    info.add_text(RECORD_CHUNK, record_json)
    return info


def parameters_info(infotext: str) -> PngImagePlugin.PngInfo:
    """A ``parameters`` chunk alone: for pictures that are not one generation (a grid)."""
    info = PngImagePlugin.PngInfo()
    # Pillow writes tEXt for latin-1 text and iTXt (UTF-8) otherwise, as A1111 does.
    info.add_text(PARAMETERS_CHUNK, _encodable(infotext))
    return info


def read_metadata(path: str | os.PathLike[str]) -> ImageMetadata:
    """The parameters in the image at ``path``; raises :class:`ImageReadError` for non-images."""
    return metadata_from_texts(read_text_chunks(path))


def read_text_chunks(path: str | os.PathLike[str]) -> dict[str, str]:
    """Every text chunk of an image (empty for formats without any)."""
    file = Path(path)
    if not file.exists():
        raise ImageReadError(f"No such file: {file}")
    if file.is_dir():
        raise ImageReadError(f"{file} is a folder, not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                return _texts_of(image)
    except Image.UnidentifiedImageError as error:
        raise ImageReadError(f"{file} is not an image sdstudio can read") from error
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        # Pillow reports truncated or corrupt files with any of these.
        raise ImageReadError(f"Could not read {file}: {error}") from error


def _texts_of(image: Image.Image) -> dict[str, str]:
    """Text chunks before the pixels (where every generator writes them) without decoding;
    only when none is known are the pixels read to reach chunks stored after them."""
    texts = {str(k): v for k, v in image.info.items() if isinstance(v, str)}
    if any(name in texts for name in KNOWN_CHUNKS) or not isinstance(
        image, PngImagePlugin.PngImageFile
    ):
        return texts
    # Damaged pixel data: the chunks read so far are still worth showing.
    with contextlib.suppress(OSError, SyntaxError, ValueError):
        texts.update({str(k): v for k, v in image.text.items() if isinstance(v, str)})
    return texts


def metadata_from_texts(texts: dict[str, str]) -> ImageMetadata:
    """Decide which generator's parameters the text chunks hold."""
    infotext = parse_infotext(texts[PARAMETERS_CHUNK]) if PARAMETERS_CHUNK in texts else None
    if RECORD_CHUNK in texts:
        try:
            record = GenerationRecord.from_json(texts[RECORD_CHUNK])
        except RecordError:
            record = None  # damaged: fall back to what the other chunks say
        if record is not None:
            return ImageMetadata(MetadataSource.SDSTUDIO, record, infotext, texts)
    if infotext is not None:
        return ImageMetadata(MetadataSource.A1111, None, infotext, texts)
    if any(name in texts for name in COMFYUI_CHUNKS):
        return ImageMetadata(MetadataSource.COMFYUI, texts=texts)
    return ImageMetadata(MetadataSource.NONE, texts=texts)


def _encodable(text: str) -> str:
    """Lone surrogates (from undecodable command-line bytes) cannot be stored as UTF-8."""
    return text.encode("utf-8", "replace").decode("utf-8")
