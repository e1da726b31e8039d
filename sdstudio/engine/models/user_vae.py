"""A VAE the user chooses for any model (an fp16-fix VAE for SDXL, a sharper one for SD 1.5).

It replaces the model's own VAE after loading, once it is checked to work in the same latent
space: the same latent channels and the same scaling factor (SD 1.x/2.x VAEs scale by
0.18215, SDXL's by 0.13025), so a VAE made for another family is refused with a message
instead of decoding noise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError

WEIGHTS = "diffusion_pytorch_model.safetensors"


def check_user_vae(path: Path) -> None:
    """Fail now, before the model is read, when ``path`` is not a loadable VAE folder."""
    if not path.exists():
        raise ModelLoadError(f"The VAE {path} does not exist.")
    if path.is_file():
        raise ModelLoadError(
            f"The VAE {path.name} is a single file; sdstudio loads a VAE from its diffusers "
            f"folder (config.json and {WEIGHTS}) for now."
        )
    config = path / "config.json"
    if not config.is_file() or not (path / WEIGHTS).is_file():
        raise ModelLoadError(
            f"The VAE folder {path} needs config.json and {WEIGHTS} (a diffusers AutoencoderKL)."
        )
    try:
        kind = json.loads(config.read_text(encoding="utf-8")).get("_class_name")
    except (OSError, ValueError):
        raise ModelLoadError(f"{config} is damaged (not valid JSON).") from None
    if kind != "AutoencoderKL":
        raise ModelLoadError(f"{path.name} is a {kind or 'non-VAE'} folder, not an AutoencoderKL.")


def with_user_vae(pipeline: Any, path: Path, dtype: Any) -> Any:
    """``pipeline`` with the VAE at ``path`` instead of its own."""
    from diffusers import AutoencoderKL

    vae = AutoencoderKL.from_pretrained(
        path, torch_dtype=dtype, local_files_only=True, use_safetensors=True
    )
    own = pipeline.vae.config
    if vae.config.latent_channels != own.latent_channels:
        raise ModelLoadError(
            f"The VAE {path.name} makes {vae.config.latent_channels}-channel latents; this model "
            f"uses {own.latent_channels}-channel ones."
        )
    if abs(vae.config.scaling_factor - own.scaling_factor) > 1e-6:
        raise ModelLoadError(
            f"The VAE {path.name} is made for another model family (its latents scale by "
            f"{vae.config.scaling_factor}, this model's by {own.scaling_factor})."
        )
    pipeline.register_modules(vae=vae)  # sets pipeline.vae too
    return pipeline
