"""A diffusers model folder's architecture, built on meta from its configs (weights unread).

Printing the tree of a 7 GB SDXL folder then takes a second and no memory; tokenizer and
scheduler are small and loaded for real, to describe them.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.modules.architectures import Architecture
from sdstudio.engine.modules.info_rows import describe_info_component


def architecture_from_folder(folder: Path, name: str | None = None) -> Architecture:
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise ModelLoadError(
            f"{folder} is not a diffusers model folder (no model_index.json in it)"
        )
    index = json.loads(index_path.read_text(encoding="utf-8"))
    components: dict[str, Any] = {}
    for part, entry in index.items():
        if part.startswith("_") or not isinstance(entry, list) or None in entry:
            continue
        try:
            components[part] = _build_part(folder / part, *entry)
        except (OSError, ValueError, KeyError, AttributeError, ImportError) as error:
            raise ModelLoadError(f"Could not read {part} in {folder}: {error}") from error
    label = name or folder.name
    return Architecture(label, label, _native_resolution(components), components)


def _native_resolution(components: dict[str, Any]) -> tuple[int, int]:
    """The UNet's training size in pixels (its sample size times the VAE's downscale)."""
    unet_config = getattr(components.get("unet"), "config", None)
    vae_config = getattr(components.get("vae"), "config", None)
    sample = getattr(unet_config, "sample_size", None)
    channels = getattr(vae_config, "block_out_channels", None)
    if not isinstance(sample, int) or not channels:
        return 512, 512
    side = sample * 2 ** (len(channels) - 1)
    return side, side


def _build_part(subfolder: Path, package: str, class_name: str) -> Any:
    import torch

    cls = getattr(importlib.import_module(package), class_name)
    if hasattr(cls, "from_config") and hasattr(cls, "load_config"):  # diffusers model/scheduler
        config = cls.load_config(subfolder)
        if class_name.endswith("Scheduler"):
            return describe_info_component(cls.from_config(config))
        with torch.device("meta"):
            return cls.from_config(config).eval()
    if hasattr(cls, "config_class") and hasattr(cls, "post_init"):  # transformers model
        config = cls.config_class.from_pretrained(subfolder)
        with torch.device("meta"):
            return cls(config).eval()
    return describe_info_component(cls.from_pretrained(subfolder))  # tokenizer and the like
