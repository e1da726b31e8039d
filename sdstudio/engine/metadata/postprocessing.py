"""A picture made from another one (an upscale), saved with its source's parameters as A1111's
"Extras" tab saves it.

A1111 keeps every text chunk of the source as it was (its ``parameters`` still describe the
generation, so restoring settings from the upscaled file gives the source's) and writes what
was done to it as one line, ``Postprocess upscale by: 2, Postprocess upscaler: Lanczos``, in
a ``postprocessing`` chunk and, through ``save_image(pnginfo_section_name="extras")``, in an
``extras`` chunk. The ``parameters`` infotext is left alone: its last line must stay the
settings line for any reader to parse it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from PIL import Image, PngImagePlugin

from sdstudio.engine.generation.settings import number_text
from sdstudio.engine.metadata.autosave import save_numbered
from sdstudio.engine.metadata.infotext import quote
from sdstudio.engine.metadata.png_chunks import metadata_from_texts

POSTPROCESSING_CHUNK = "postprocessing"
EXTRAS_CHUNK = "extras"
UPSCALED_TAIL = "upscaled"


def upscale_line(upscaler: str, scale: float) -> str:
    """What A1111's upscale writes, in its order: the factor, then the upscaler's name."""
    return f"Postprocess upscale by: {number_text(scale)}, Postprocess upscaler: {quote(upscaler)}"


def postprocessed_info(texts: Mapping[str, str], line: str) -> PngImagePlugin.PngInfo:
    """The source's text chunks as they were, with ``line`` as the postprocessing (a line of
    an earlier postprocessing is replaced, as A1111 replaces it)."""
    info = PngImagePlugin.PngInfo()
    for key, value in texts.items():
        if key not in (POSTPROCESSING_CHUNK, EXTRAS_CHUNK):
            info.add_text(key, value)
    info.add_text(POSTPROCESSING_CHUNK, line)
    info.add_text(EXTRAS_CHUNK, line)
    return info


def upscaled_tail(texts: Mapping[str, str], seed: int | None = None) -> str:
    """The end of the upscaled file's name: ``<seed>-upscaled`` (the seed the source's
    parameters name, else ``seed``), or ``upscaled`` when none is known."""
    metadata = metadata_from_texts(dict(texts))
    if metadata.record is not None:
        seed = metadata.record.seed
    elif metadata.infotext is not None:
        written = metadata.infotext.params.get("Seed", "")
        seed = int(written) if written.isdigit() else seed
    return UPSCALED_TAIL if seed is None else f"{seed}-{UPSCALED_TAIL}"


def save_upscaled(
    image: Image.Image,
    texts: Mapping[str, str],
    line: str,
    output_dir: str | os.PathLike[str] | None = None,
    seed: int | None = None,
) -> Path:
    """Save ``image`` under the next number of ``output_dir`` (today's outputs folder by
    default) as ``NNNNN-<seed>-upscaled.png``, with the source's ``texts`` and ``line``."""
    return save_numbered(
        image, postprocessed_info(texts, line), upscaled_tail(texts, seed), output_dir
    )
