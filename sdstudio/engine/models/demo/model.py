"""The demo model: a tiny SD 1.x-shaped model trained on coloured shapes, shipped as files.

It uses the real diffusers/transformers classes and SD's latent geometry (VAE scale factor 8,
4 latent channels, SD's betas), so every feature behaves as with a real model, at 128×128 in
well under a second on a CPU. It draws what a prompt of its world asks for ("a red circle on
the left on a blue background"), so previews, img2img, attention maps and activations show
something a learner can read. ``sdstudio train-demo`` made it; ``training.json`` beside the
weights records how (config, steps, losses, hashes).
"""

from __future__ import annotations

from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.resources import resources_dir

DEMO_NAME = "demo"
DEMO_LABEL = (
    "Demo model — a tiny model trained on coloured shapes (try “a red circle on the left”); "
    "load a real model for real images."
)
DEMO_FOLDER = "demo-model"
DEMO_INPAINTING_NAME = "demo-inpainting"
DEMO_INPAINTING_LABEL = (
    "Demo inpainting model — the demo fine-tuned to repaint a masked part (paint a mask on "
    "the canvas, try “a red square on the left”); load a real model for real images."
)
# Each built-in model: its spec, its folder in resources/, and what the window says of it.
DEMO_MODELS: dict[str, tuple[str, str]] = {
    DEMO_NAME: (DEMO_FOLDER, DEMO_LABEL),
    DEMO_INPAINTING_NAME: ("demo-inpainting-model", DEMO_INPAINTING_LABEL),
}


def is_demo_spec(spec: str | None) -> bool:
    return spec in DEMO_MODELS


def demo_label(name: str) -> str:
    return DEMO_MODELS.get(name, DEMO_MODELS[DEMO_NAME])[1]


def demo_model_dir(name: str = DEMO_NAME) -> Path:
    """A shipped demo folder (read-only: it is loaded in place, never written to)."""
    folder = resources_dir() / DEMO_MODELS[name][0]
    if not (folder / "model_index.json").is_file():
        raise ModelLoadError(
            f"The demo model is missing from this installation (expected {folder}). "
            "Reinstall sdstudio, or train one with 'sdstudio train-demo --out DIR' and load "
            "DIR/model."
        )
    return folder
