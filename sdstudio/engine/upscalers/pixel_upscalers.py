"""The upscalers that need no model: Pillow's Lanczos and nearest-neighbour resampling, by
A1111's names. They reach any size in one step, so they have no scale of their own."""

from __future__ import annotations

from PIL import Image

PILLOW_UPSCALERS: dict[str, Image.Resampling] = {
    "Lanczos": Image.Resampling.LANCZOS,
    "Nearest": Image.Resampling.NEAREST,
}


def pillow_resampling(name: str) -> Image.Resampling | None:
    """Pillow's filter for one of :data:`PILLOW_UPSCALERS` (case ignored), else ``None``."""
    for known, resampling in PILLOW_UPSCALERS.items():
        if name.strip().lower() == known.lower():
            return resampling
    return None
