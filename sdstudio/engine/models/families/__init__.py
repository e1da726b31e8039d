"""Model families: one object per architecture (SD 1.x, 2.x, XL), owning everything that differs.

A family knows how to recognise its models (diffusers folder, single-file header), which files
it needs, which diffusers pipeline class it loads with, how it turns a prompt into UNet inputs,
its sizes, its preview factors and what it can do. Code outside this package asks the family
instead of assuming Stable Diffusion 1.x; it never names a diffusers pipeline class.
"""

from sdstudio.engine.models.families.conditioning import Conditioning
from sdstudio.engine.models.families.family import FamilyCapabilities, ModelFamily
from sdstudio.engine.models.families.registry import (
    FAMILIES,
    SD1,
    SD2,
    SDXL,
    download_patterns,
    families_for_pipeline_class,
    family_for_checkpoint,
    family_for_unet,
    family_named,
)

__all__ = [
    "FAMILIES",
    "SD1",
    "SD2",
    "SDXL",
    "Conditioning",
    "FamilyCapabilities",
    "ModelFamily",
    "download_patterns",
    "families_for_pipeline_class",
    "family_for_checkpoint",
    "family_for_unet",
    "family_named",
]
