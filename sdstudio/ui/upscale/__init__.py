"""Upscaling in the window: the upscaler list, "Upscale…" for a picture, and the run."""

from sdstudio.ui.upscale.catalog import UpscalerCatalog
from sdstudio.ui.upscale.controller import UpscaleController
from sdstudio.ui.upscale.upscale_job import UpscaleChoice, UpscaledPicture, UpscaleSource

__all__ = [
    "UpscaleChoice",
    "UpscaleController",
    "UpscaleSource",
    "UpscaledPicture",
    "UpscalerCatalog",
]
