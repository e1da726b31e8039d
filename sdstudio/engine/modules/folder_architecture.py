"""A diffusers model folder's architecture, built on meta from its configs (weights unread).

Printing the tree of a 7 GB SDXL folder then takes a second and no memory; tokenizer and
scheduler are small and loaded for real, to describe them. The classes come from
``model_index.json``, which anyone can write: only diffusers and transformers classes are
resolved (``models.component_classes``); another component is reported and left out, never
imported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.component_classes import (
    RefusedComponent,
    component_class,
    component_entries,
)
from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.modules.architectures import Architecture
from sdstudio.engine.modules.info_rows import describe_info_component

Notice = Callable[[str], object]


def architecture_from_folder(
    folder: Path, name: str | None = None, notice: Notice | None = None
) -> Architecture:
    """The folder's components on meta; ``notice`` hears of each component left out."""
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise ModelLoadError(
            f"{folder} is not a diffusers model folder (no model_index.json in it)"
        )
    index = read_model_json(index_path)
    components: dict[str, Any] = {}
    say = notice or (lambda _text: None)
    for part, entry in component_entries(index).items():
        cls = component_class(entry)
        if cls is None:
            say(f"{RefusedComponent(part, entry).describe()} {part} is left out.")
        elif Path(part).name != part or not (folder / part).is_dir():
            say(f"model_index.json names '{part}', but {folder} has no {part}/ folder; left out.")
        else:
            components[part] = _read_part(folder / part, cls)
    label = name or folder.name
    return Architecture(label, label, _native_resolution(components), components)


def _read_part(subfolder: Path, cls: type) -> Any:
    for json_file in sorted(subfolder.glob("*.json")):
        read_model_json(json_file)  # a list or a file nested 200k deep is named, not a traceback
    try:
        return _build_part(subfolder, cls)
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
        part, folder = subfolder.name, subfolder.parent
        raise ModelLoadError(f"Could not read {part} in {folder}: {error}") from error


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


def _build_part(subfolder: Path, cls: type) -> Any:
    import torch
    from diffusers import SchedulerMixin

    if hasattr(cls, "from_config") and hasattr(cls, "load_config"):  # diffusers model/scheduler
        config = cls.load_config(subfolder, local_files_only=True)
        if issubclass(cls, SchedulerMixin):
            return describe_info_component(cls.from_config(config))
        with torch.device("meta"):
            return cls.from_config(config).eval()
    if hasattr(cls, "config_class") and hasattr(cls, "post_init"):  # transformers model
        config = cls.config_class.from_pretrained(subfolder, local_files_only=True)
        with torch.device("meta"):
            return cls(config).eval()
    # tokenizer and the like
    return describe_info_component(cls.from_pretrained(subfolder, local_files_only=True))
