"""Checking preferences before they are saved: what is wrong, and which folders are missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sdstudio.engine.controlnet_preprocessors.annotator_weights import (
    default_annotator_dir,
    weights_problem,
)
from sdstudio.engine.models.families import SD1, SDXL, ModelFamily
from sdstudio.engine.previews.taesd_weights import default_taesd_dir, hub_repo
from sdstudio.ui.preferences.values import Preferences

FOLDER_LABELS = (
    ("output_dir", "Output folder"),
    ("lora_dir", "LoRA folder"),
    ("embeddings_dir", "Embeddings folder"),
)
ANNOTATOR_LABELS = (
    ("depth_weights", "depth", "Depth model folder"),
    ("pose_weights", "pose", "Pose model folder"),
)


@dataclass
class PreferencesCheck:
    """``errors`` refuse the save; ``missing_folders`` may be created if the user agrees."""

    errors: list[str] = field(default_factory=list)
    missing_folders: list[Path] = field(default_factory=list)


def check_preferences(preferences: Preferences) -> PreferencesCheck:
    result = PreferencesCheck()
    for name, label in FOLDER_LABELS:
        folder = getattr(preferences, name)
        if folder is None:
            continue
        if not folder.is_absolute():
            result.errors.append(f"{label}: use a full path, not {folder}.")
        elif folder.exists() and not folder.is_dir():
            result.errors.append(f"{label}: {folder} is a file, not a folder.")
        elif not folder.exists():
            result.missing_folders.append(folder)
    for text, family in ((preferences.taesd_path, SD1), (preferences.taesdxl_path, SDXL)):
        problem = taesd_path_problem(text, family)
        if problem:
            result.errors.append(problem)
    for name, kind, label in ANNOTATOR_LABELS:
        problem = annotator_folder_problem(getattr(preferences, name), kind, label)
        if problem:
            result.errors.append(problem)
    return result


def annotator_folder_problem(folder: Path | None, kind: str, label: str) -> str:
    """Why ``folder`` cannot be the ``kind`` preprocessors' model folder ("" when it can, or
    is None: the default folder, checked when a map is made)."""
    if folder is None:
        return ""
    if not folder.is_absolute():
        return f"{label}: use a full path, not {folder}."
    problem = weights_problem(folder)
    if problem is None:
        return ""
    return (
        f"{label}: {folder} cannot be used, {problem} Choose a folder with the model's "
        f"config.json, preprocessor_config.json and .safetensors weights, or leave it empty "
        f"to use {default_annotator_dir(kind)}."
    )


def taesd_path_problem(text: str, family: ModelFamily) -> str:
    """Why ``text`` cannot be the family's TAESD weights ("" when it can, or is empty)."""
    if not text:
        return ""
    name = family.taesd_variant.upper()  # TAESD, TAESDXL
    path = Path(text).expanduser()
    if not path.exists():
        return (
            f"{name} weights not found: {text}. Choose a folder or weights file that exists, "
            f"or leave it empty to use {default_taesd_dir(family)}."
        )
    if path.is_dir() and not (path / "config.json").is_file():
        return (
            f"{name} weights: {text} has no config.json. Choose a diffusers AutoencoderTiny "
            f"folder (a copy of {hub_repo(family)}) or its weights file."
        )
    return ""
