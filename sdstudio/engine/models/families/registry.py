"""The families sdstudio runs, and how a model is matched to one.

Detection asks each family in turn; the first that claims a model wins. Refusals for
architectures that are not families yet (SD3, Flux) stay with the folder and header checks,
which call these helpers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.families.family import FamilyCapabilities, ModelFamily
from sdstudio.engine.models.families.sdxl import (
    SDXL_DOWNLOAD_PATTERNS,
    SDXL_LATENT_RGB_BIAS,
    SDXL_LATENT_RGB_FACTORS,
    SDXL_PIPELINE_CLASS_NAMES,
    SDXL_REQUIRED_FILES,
    SDXLFamily,
)
from sdstudio.engine.models.families.stable_diffusion import (
    DOWNLOAD_PATTERNS,
    PIPELINE_CLASS_NAMES,
    REQUIRED_FILES,
    SD_LATENT_RGB_FACTORS,
    StableDiffusionFamily,
)

SD1 = StableDiffusionFamily(
    name="sd1",
    label="Stable Diffusion 1.x",
    config_name="sd15",
    cross_attention_width=768,
    native_size=512,
    v_prediction_size=512,
    latent_rgb_factors=SD_LATENT_RGB_FACTORS,
    latent_rgb_bias=(0.0, 0.0, 0.0),
    taesd_variant="taesd",
    capabilities=FamilyCapabilities(inpainting_unet_channels=(9,)),
    required_files=REQUIRED_FILES,
    download_patterns=DOWNLOAD_PATTERNS,
    pipeline_class_names=PIPELINE_CLASS_NAMES,
    size_presets=((512, 512), (512, 768), (768, 512), (640, 448), (448, 640)),
)
# SD 2.x single files are mostly the 768-px v-prediction models; a 512-px "base" file needs
# a sidecar .yaml or LoadOptions.prediction_type to say epsilon.
SD2 = dataclasses.replace(  # SD 1.x's VAE, tokenizer BPE and files; OpenCLIP's text encoder
    SD1,
    name="sd2",
    label="Stable Diffusion 2.x",
    config_name="sd21",
    cross_attention_width=1024,
    v_prediction_size=768,
    capabilities=FamilyCapabilities(inpainting_unet_channels=(9,), v_prediction_default=True),
    checkpoint_text_encoder="cond_stage_model.model.",
    pad_token="!",
    size_presets=((768, 768), (512, 512), (768, 512), (512, 768), (896, 640), (640, 896)),
)
SDXL = SDXLFamily(
    name="sdxl",
    label="Stable Diffusion XL",
    config_name="sdxl",
    cross_attention_width=2048,
    native_size=1024,
    v_prediction_size=1024,
    latent_rgb_factors=SDXL_LATENT_RGB_FACTORS,
    latent_rgb_bias=SDXL_LATENT_RGB_BIAS,
    taesd_variant="taesdxl",
    capabilities=FamilyCapabilities(
        inpainting_unet_channels=(9,), has_refiner=True, upcasts_vae=True
    ),
    required_files=SDXL_REQUIRED_FILES,
    download_patterns=SDXL_DOWNLOAD_PATTERNS,
    pipeline_class_names=SDXL_PIPELINE_CLASS_NAMES,
    # SDXL's aspect buckets: about a megapixel each
    size_presets=(
        (1024, 1024),
        (1152, 896),
        (896, 1152),
        (1216, 832),
        (832, 1216),
        (1344, 768),
        (768, 1344),
        (1536, 640),
        (640, 1536),
    ),
)
FAMILIES: tuple[ModelFamily, ...] = (SD1, SD2, SDXL)


def family_named(name: str) -> ModelFamily:
    """The family with this ``name`` (as stored in settings and metadata)."""
    for family in FAMILIES:
        if family.name == name:
            return family
    known = ", ".join(family.name for family in FAMILIES)
    raise ModelLoadError(f"Unknown model family {name!r}; sdstudio knows: {known}.")


def families_for_pipeline_class(class_name: str) -> tuple[ModelFamily, ...]:
    """The families that load a folder whose model_index.json names ``class_name``."""
    return tuple(family for family in FAMILIES if class_name in family.pipeline_class_names)


def family_for_unet(
    candidates: tuple[ModelFamily, ...], unet_config: Mapping[str, Any]
) -> ModelFamily:
    """The candidate whose UNet geometry matches; else the first (custom-sized, e.g. the demo)."""
    for family in candidates:
        if family.claims_unet(unet_config):
            return family
    return candidates[0]


def family_for_checkpoint(shapes: Mapping[str, list[int]]) -> ModelFamily | None:
    """The family whose weights the single-file header holds, if any claims it."""
    for family in FAMILIES:
        if family.claims_checkpoint(shapes):
            return family
    return None


def download_patterns() -> list[str]:
    """Every family's hub files: a hub id's family is only known once its folder is here."""
    patterns: dict[str, None] = {}
    for family in FAMILIES:
        patterns.update(dict.fromkeys(family.download_patterns))
    return list(patterns)
