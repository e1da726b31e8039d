"""Loading a pipeline's components: the demo model or a diffusers folder.

The denoising loop only needs the components (tokenizer, text encoder, UNet, VAE, scheduler);
a diffusers ``StableDiffusionPipeline`` is used as the container because it already knows how
to load, place and free them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdstudio.engine.demo_model import DEMO_LABEL, DEMO_NAME, ensure_demo_model
from sdstudio.engine.devices import DevicePlacement, resolve_device
from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.library_noise import quiet_libraries


@dataclass
class LoadedModel:
    """A ready-to-run pipeline plus what the UI and metadata need to describe it."""

    pipeline: Any  # diffusers.StableDiffusionPipeline
    name: str
    source: str
    placement: DevicePlacement
    is_demo: bool = False

    @property
    def description(self) -> str:
        return DEMO_LABEL if self.is_demo else f"{self.name} on {self.placement.label}"


def load_model(spec: str | None = None, device: str = "auto") -> LoadedModel:
    """Load ``demo`` (the default) or a diffusers folder onto the chosen device."""
    placement = resolve_device(device)
    if spec in (None, "", DEMO_NAME):
        folder = ensure_demo_model()
        pipeline = _load_folder(folder, placement)
        return LoadedModel(pipeline, DEMO_NAME, str(folder), placement, is_demo=True)
    path = Path(spec).expanduser()
    if not path.exists():
        raise ModelLoadError(f"Model not found: {spec} (give 'demo' or a diffusers model folder)")
    if not (path / "model_index.json").is_file():
        raise ModelLoadError(f"{spec} is not a diffusers model folder (no model_index.json in it)")
    pipeline = _load_folder(path, placement)
    return LoadedModel(pipeline, path.name, str(path), placement)


def _load_folder(folder: Path, placement: DevicePlacement) -> Any:
    quiet_libraries()
    from diffusers import StableDiffusionPipeline

    try:
        pipeline = StableDiffusionPipeline.from_pretrained(
            folder,
            torch_dtype=placement.dtype,
            safety_checker=None,
            requires_safety_checker=False,
            local_files_only=True,
        )
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(f"Could not load the model in {folder}: {error}") from error
    pipeline.set_progress_bar_config(disable=True)
    return pipeline.to(placement.device)
