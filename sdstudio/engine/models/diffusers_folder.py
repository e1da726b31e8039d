"""Diffusers model folders: checked component by component, then loaded from safetensors only.

The check runs before anything heavy so a broken folder is refused with the name of what is
missing while the current model stays loaded. Weights stored only as pickles (``.bin``) are
refused: unpickling can run code hidden in the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError

SUPPORTED_PIPELINES = {"StableDiffusionPipeline", "StableDiffusionImg2ImgPipeline"}
# Component folder -> files any one of which holds its weights (or, for configs, its settings).
REQUIRED_FILES: dict[str, tuple[tuple[str, ...], ...]] = {
    "unet": (
        ("config.json",),
        ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.safetensors.index.json"),
    ),
    "vae": (
        ("config.json",),
        ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.safetensors.index.json"),
    ),
    "text_encoder": (("config.json",), ("model.safetensors", "model.safetensors.index.json")),
    "tokenizer": (("vocab.json", "tokenizer.json"),),
    "scheduler": (("scheduler_config.json",),),
}
PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth", ".pkl")


def check_folder(folder: Path) -> None:
    """Raise a ``ModelLoadError`` naming the problem when ``folder`` cannot be loaded."""
    index_file = folder / "model_index.json"
    if not index_file.is_file():
        raise ModelLoadError(
            f"{folder} is not a diffusers model folder (it has no model_index.json). Open the "
            "folder that contains model_index.json, or a .safetensors checkpoint file."
        )
    try:
        index = json.loads(index_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelLoadError(f"{index_file} is damaged (not valid JSON).") from None
    _check_pipeline_class(folder, str(index.get("_class_name", "")))
    for component, groups in REQUIRED_FILES.items():
        _check_component(folder, component, groups)
    _check_unet_channels(folder)


def load_folder(folder: Path, dtype: Any) -> Any:
    """Build a ``StableDiffusionPipeline`` from a checked folder, without touching the network."""
    from diffusers import StableDiffusionPipeline

    return StableDiffusionPipeline.from_pretrained(
        folder,
        torch_dtype=dtype,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
        local_files_only=True,
        use_safetensors=True,
    )


def _check_pipeline_class(folder: Path, class_name: str) -> None:
    if class_name in SUPPORTED_PIPELINES:
        return
    if "XL" in class_name:
        raise ModelLoadError(f"{folder.name} is an SDXL model. SDXL is not supported yet.")
    if "Inpaint" in class_name:
        raise ModelLoadError(f"{folder.name} is an inpainting model; not supported yet.")
    raise ModelLoadError(
        f"{folder.name} is a {class_name or 'non-Stable-Diffusion'} model; sdstudio runs "
        "Stable Diffusion 1.x and 2.x models."
    )


def _check_component(folder: Path, component: str, groups: tuple[tuple[str, ...], ...]) -> None:
    where = folder / component
    if not where.is_dir():
        raise ModelLoadError(
            f"The model folder {folder} is missing its '{component}' component (no "
            f"{component}/ folder). Copy or download the complete model again."
        )
    for alternatives in groups:
        if any((where / name).is_file() for name in alternatives):
            continue
        if any(path.suffix in PICKLE_SUFFIXES for path in where.iterdir()):
            raise ModelLoadError(
                f"The '{component}' weights in {folder} are only in a pickle format (.bin), "
                "which can run code when opened, so sdstudio does not open it. Use a copy of "
                "the model with .safetensors weights (most hub models have one), or convert "
                "the folder to safetensors."
            )
        raise ModelLoadError(
            f"The model folder {folder} is missing its '{component}' component file "
            f"{component}/{alternatives[0]}. Copy or download the complete model again."
        )


def _check_unet_channels(folder: Path) -> None:
    try:
        config = json.loads((folder / "unet" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelLoadError(f"{folder}/unet/config.json is damaged (not valid JSON).") from None
    channels = config.get("in_channels", 4)
    if channels == 9:
        raise ModelLoadError(f"{folder.name} is an inpainting model; not supported yet.")
    if channels != 4:
        raise ModelLoadError(
            f"{folder.name} has a UNet with {channels} input channels; sdstudio runs Stable "
            "Diffusion 1.x and 2.x models with 4 latent channels."
        )
