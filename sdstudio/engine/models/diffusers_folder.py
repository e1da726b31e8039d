"""Diffusers model folders: checked component by component and matched to their family.

The check runs before anything heavy so a broken folder is refused with the name of what is
missing while the current model stays loaded; the family then loads it from safetensors only.
Weights stored only as pickles (``.bin``) are refused: unpickling can run code hidden in the
file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.families import (
    ModelFamily,
    families_for_pipeline_class,
    family_for_unet,
)
from sdstudio.engine.models.families.family import RequiredFiles
from sdstudio.engine.models.sources import PICKLE_SUFFIXES


def check_folder(folder: Path) -> ModelFamily:
    """The folder's family, or a ``ModelLoadError`` naming the problem when it cannot be loaded."""
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
    candidates = _families_for_class(folder, str(index.get("_class_name", "")))
    for component, groups in _required_files(candidates).items():
        if index.get(component, ()) == [None, None]:  # the model has none (SDXL's refiner)
            continue
        _check_component(folder, component, groups)
    unet_config = _unet_config(folder)
    family = family_for_unet(candidates, unet_config)
    _check_unet_channels(folder, family, unet_config.get("in_channels", 4))
    return family


def _families_for_class(folder: Path, class_name: str) -> tuple[ModelFamily, ...]:
    candidates = families_for_pipeline_class(class_name)
    if candidates:
        return candidates
    if "XL" in class_name and "Inpaint" in class_name:
        raise ModelLoadError(f"{folder.name} is an SDXL inpainting model; not supported yet.")
    if "Inpaint" in class_name:
        raise ModelLoadError(f"{folder.name} is an inpainting model; not supported yet.")
    raise ModelLoadError(
        f"{folder.name} is a {class_name or 'non-Stable-Diffusion'} model; sdstudio runs "
        "Stable Diffusion 1.x, 2.x and XL models."
    )


def _required_files(candidates: tuple[ModelFamily, ...]) -> RequiredFiles:
    """What every candidate family needs; the UNet config that tells them apart is among it."""
    required: dict[str, tuple[tuple[str, ...], ...]] = {}
    for family in candidates:
        for component, groups in family.required_files.items():
            known = required.get(component, ())
            required[component] = known + tuple(group for group in groups if group not in known)
    return required


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


def _unet_config(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "unet" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelLoadError(f"{folder}/unet/config.json is damaged (not valid JSON).") from None


def _check_unet_channels(folder: Path, family: ModelFamily, channels: int) -> None:
    if channels in family.capabilities.inpainting_unet_channels:
        return
    if channels == 9:
        raise ModelLoadError(f"{folder.name} is an inpainting model; not supported yet.")
    if channels != 4:
        raise ModelLoadError(
            f"{folder.name} has a UNet with {channels} input channels; sdstudio runs Stable "
            "Diffusion 1.x, 2.x and XL models with 4 latent channels."
        )
