"""What a model spec names: the demo, a diffusers folder, a checkpoint file or a hub id.

Only names and file types are judged here, so an unusable spec is refused before anything is
read. Pickle-based files are refused outright: unpickling can run any code hidden in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.demo.model import DEMO_INPAINTING_NAME, DEMO_NAME, is_demo_spec
from sdstudio.engine.models.hub import looks_like_hub_id

PICKLE_SUFFIXES = {".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle"}
CHECKPOINT_SUFFIX = ".safetensors"
SPEC_HELP = (
    f"'{DEMO_NAME}', '{DEMO_INPAINTING_NAME}', a diffusers model folder, a .safetensors "
    "checkpoint, or a hub id (owner/name)"
)


class SourceKind(Enum):
    DEMO = DEMO_NAME
    FOLDER = "folder"
    CHECKPOINT = "checkpoint"
    HUB = "hub"


@dataclass(frozen=True)
class ModelSource:
    kind: SourceKind
    spec: str
    path: Path | None = None  # None for the demo (found on load) and hub ids (fetched later)


def identify_source(spec: str | None) -> ModelSource:
    """Classify ``spec`` or raise a ``ModelLoadError`` that says what would work instead."""
    if spec in (None, ""):
        return ModelSource(SourceKind.DEMO, DEMO_NAME)
    if is_demo_spec(spec):
        return ModelSource(SourceKind.DEMO, str(spec))
    assert spec is not None
    path = Path(spec).expanduser()
    if path.is_dir():
        return ModelSource(SourceKind.FOLDER, spec, path)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == CHECKPOINT_SUFFIX:
            return ModelSource(SourceKind.CHECKPOINT, spec, path)
        if suffix in PICKLE_SUFFIXES:
            raise ModelLoadError(
                f"{path.name} is a pickle-based checkpoint ({suffix}); sdstudio does not open "
                "pickle files because loading one can run any code hidden inside it. Download "
                "the .safetensors version of this model (most model sites offer one), or "
                "convert the file to .safetensors with a tool you trust."
            )
        raise ModelLoadError(
            f"{path.name} is not a model file sdstudio can open; give {SPEC_HELP}."
        )
    if looks_like_hub_id(spec):
        return ModelSource(SourceKind.HUB, spec)
    raise ModelLoadError(f"Model not found: {spec} (give {SPEC_HELP}).")
