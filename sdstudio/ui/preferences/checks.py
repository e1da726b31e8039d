"""Checking preferences before they are saved: what is wrong, and which folders are missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sdstudio.engine.models.families import SD1, SDXL, ModelFamily
from sdstudio.engine.previews.taesd_weights import default_taesd_dir, hub_repo
from sdstudio.ui.preferences.values import Preferences

FOLDER_LABELS = (
    ("output_dir", "Output folder"),
    ("lora_dir", "LoRA folder"),
    ("embeddings_dir", "Embeddings folder"),
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
    return result


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
