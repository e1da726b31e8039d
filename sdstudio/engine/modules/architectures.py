"""Released Stable Diffusion architectures, built on the meta device from their configs.

The configs are the released ones (``resources/architectures/*.json``), so parameter totals
equal the real checkpoints' (SD 1.5 UNet 859,520,964) while no weight is downloaded or
allocated: on meta a module has shapes but no storage. Each model family has its preset
(named by its ``config_name``); a few architectures can be browsed before they can be run.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.models.families import FAMILIES
from sdstudio.engine.modules.info_rows import describe_scheduler, tokenizer_info
from sdstudio.engine.modules.nodes import TreeNode
from sdstudio.engine.modules.pipeline_tree import build_tree
from sdstudio.engine.resources import resources_dir

PRESETS_WITHOUT_FAMILY: tuple[str, ...] = ()  # presets browsable before they run
ARCHITECTURES = (*(family.config_name for family in FAMILIES), *PRESETS_WITHOUT_FAMILY)


@dataclass(frozen=True)
class Architecture:
    """A preset: its parts (meta modules, a scheduler, tokenizer descriptions)."""

    name: str
    label: str
    default_resolution: tuple[int, int]
    components: dict[str, Any]

    def tree(self) -> TreeNode:
        return build_tree(self.components, self.name)


def architecture_choices() -> dict[str, str]:
    """Preset name → label, for menus."""
    return {name: _read_spec(name)["label"] for name in ARCHITECTURES}


@lru_cache(maxsize=len(ARCHITECTURES))
def load_architecture(name: str) -> Architecture:
    """Build a preset (cached: meta modules hold no memory)."""
    spec = _read_spec(name)
    components = {part: _build_part(entry) for part, entry in spec["components"].items()}
    width, height = spec["default_resolution"]
    return Architecture(name, spec["label"], (width, height), components)


def _read_spec(name: str) -> dict[str, Any]:
    if name not in ARCHITECTURES:
        raise UserFacingError(
            f"Unknown architecture {name!r}; choose one of: {', '.join(ARCHITECTURES)}"
        )
    path = resources_dir() / "architectures" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _build_part(entry: dict[str, Any]) -> Any:
    import torch

    package, class_name = entry["class"].split(".", 1)
    if "info" in entry:  # a tokenizer: described, not built (its vocabulary is not shipped)
        info = entry["info"]
        return tokenizer_info(class_name, info["vocab_size"], info["model_max_length"])
    cls = getattr(importlib.import_module(package), class_name)
    if class_name.endswith("Scheduler"):
        return describe_scheduler(cls.from_config(entry["config"]))
    with torch.device("meta"):
        if package == "diffusers":
            return cls.from_config(entry["config"]).eval()
        return cls(cls.config_class(**entry["config"])).eval()
