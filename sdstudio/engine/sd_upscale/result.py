"""An SD upscale's picture and the parameters its PNG carries.

A1111 writes the first tile's img2img infotext (its seed is the run's first; its size is the
tile's) with two keys of its own before the version: ``SD upscale overlap: 64, SD upscale
upscaler: NAME``. Our record chunk beside it is that tile's record, so sdstudio restores the
settings every tile ran with.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, PngImagePlugin

from sdstudio.engine.metadata.infotext import parse_params_line, quote
from sdstudio.engine.metadata.png_chunks import RECORD_CHUNK, parameters_info
from sdstudio.engine.metadata.record import GenerationRecord

OVERLAP_KEY = "SD upscale overlap"
UPSCALER_KEY = "SD upscale upscaler"
LAST_KEY = "Version"  # A1111 puts a script's keys before it


@dataclass(frozen=True)
class SdUpscaled:
    """The joined picture, the first tile's record, and the upscaler (as infotext names it)
    and overlap that made it."""

    image: Image.Image
    record: GenerationRecord
    upscaler: str
    overlap: int

    def infotext(self) -> str:
        """The record's infotext with the SD upscale keys added to its settings line."""
        *text, settings = self.record.infotext().split("\n")
        params = parse_params_line(settings)
        last = {key: params.pop(key) for key in (LAST_KEY,) if key in params}
        params |= {OVERLAP_KEY: str(self.overlap), UPSCALER_KEY: self.upscaler, **last}
        line = ", ".join(f"{key}: {quote(value)}" for key, value in params.items())
        return "\n".join([*text, line])

    def png_info(self) -> PngImagePlugin.PngInfo:
        """The ``parameters`` chunk (:meth:`infotext`) and our record chunk."""
        info = parameters_info(self.infotext())
        info.add_text(RECORD_CHUNK, self.record.to_json())
        return info
