"""Upscalers: Pillow's Lanczos and Nearest, and model files of any architecture spandrel knows,
run tile by tile with feathered overlaps. ``upscale`` is the one entry point; nothing here
imports torch or spandrel until a model is used."""

from sdstudio.engine.upscalers.catalog import UpscalerInfo, available_upscalers
from sdstudio.engine.upscalers.model_files import find_upscaler_file
from sdstudio.engine.upscalers.pixel_upscalers import PILLOW_UPSCALERS
from sdstudio.engine.upscalers.tiling import UpscaleCancelled
from sdstudio.engine.upscalers.upscale import (
    DEFAULT_OVERLAP,
    DEFAULT_TILE,
    native_scale,
    target_size,
    upscale,
    upscale_to_size,
)

__all__ = [
    "DEFAULT_OVERLAP",
    "DEFAULT_TILE",
    "PILLOW_UPSCALERS",
    "UpscaleCancelled",
    "UpscalerInfo",
    "available_upscalers",
    "find_upscaler_file",
    "native_scale",
    "target_size",
    "upscale",
    "upscale_to_size",
]
