"""Diffusers model folders: checked component by component and matched to their family.

The check runs before anything heavy so a broken folder is refused with the name of what is
missing while the current model stays loaded; the family then loads it from safetensors only.
Weights stored only as pickles (``.bin``), or reached through an index whose shards are, are
refused: unpickling can run code hidden in the file. The JSON files are read with a guard (a
list, a damaged file or one nested 200k deep is named, not a traceback), and a component whose
class is not a diffusers or transformers class is refused before diffusers would import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.component_classes import component_entries, refused_components
from sdstudio.engine.models.families import (
    ModelFamily,
    families_for_pipeline_class,
    family_for_unet,
)
from sdstudio.engine.models.families.family import RequiredFiles
from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.models.sources import PICKLE_SUFFIXES
from sdstudio.engine.models.weight_shards import check_weight_shards


def check_folder(folder: Path) -> ModelFamily:
    """The folder's family, or a ``ModelLoadError`` naming the problem when it cannot be loaded."""
    index_file = folder / "model_index.json"
    if not index_file.is_file():
        raise ModelLoadError(
            f"{folder} is not a diffusers model folder (it has no model_index.json). Open the "
            "folder that contains model_index.json, or a .safetensors checkpoint file."
        )
    index = read_model_json(index_file)
    class_name = index.get("_class_name", "")
    if not isinstance(class_name, str):  # a list names a custom pipeline's code file
        raise ModelLoadError(f"{index_file} is damaged (its _class_name is not a class name).")
    candidates = _families_for_class(folder, class_name)
    required = _required_files(candidates)
    refused = _refuse_foreign_classes(index, required)
    for component, groups in required.items():
        if index.get(component, ()) == [None, None]:  # the model has none (SDXL's refiner)
            continue
        _check_component(folder, component, groups)
    for component in sorted({*required, *component_entries(index)} - refused):
        if Path(component).name == component:  # a folder beside model_index.json
            _check_component_files(folder / component)
    unet_config = read_model_json(folder / "unet" / "config.json")
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


def _refuse_foreign_classes(index: dict[str, Any], required: RequiredFiles) -> set[str]:
    """A component the model needs must be a library class; the names of the others with a
    foreign class, which the family leaves out when it loads the folder."""
    refused = refused_components(index)
    for name, component in refused.items():
        if name in required:
            raise ModelLoadError(f"{component.describe()} The model cannot be loaded without it.")
    return set(refused)


def _check_component_files(where: Path) -> None:
    """Its JSON files are objects (configs, tokenizer files, indexes) and its shards are
    safetensors, before diffusers or transformers read any of them."""
    if not where.is_dir():
        return
    for json_file in sorted(where.glob("*.json")):
        read_model_json(json_file)
    check_weight_shards(where)


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
