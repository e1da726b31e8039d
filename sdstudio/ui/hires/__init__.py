"""The hires fix's section of the settings panel."""

from sdstudio.ui.hires.binding import HiresUpscalerBinding
from sdstudio.ui.hires.section import LATENT_UPSCALERS, HiresSection, is_inpainting_model

__all__ = ["LATENT_UPSCALERS", "HiresSection", "HiresUpscalerBinding", "is_inpainting_model"]
