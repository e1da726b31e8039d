"""A VAE the user chooses for any model (an fp16-fix VAE for SDXL, a sharper one for SD 1.5).

It replaces the model's own VAE after loading, once it is checked to work in the same latent
space: the same latent channels and the same scaling factor (SD 1.x/2.x VAEs scale by
0.18215, SDXL's by 0.13025), so a VAE folder made for another family is refused with a
message instead of decoding noise. A single ``.safetensors`` file has no config: it is read
into the model's own VAE architecture (SD's and SDXL's VAEs have the same layers, so only the
model can say which latent space it is for).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.models.weight_shards import check_weight_shards

WEIGHTS = "diffusion_pytorch_model.safetensors"


def check_user_vae(path: Path) -> None:
    """Fail now, before the model is read, when ``path`` is not a loadable VAE folder."""
    if not path.exists():
        raise ModelLoadError(f"The VAE {path} does not exist.")
    if path.is_file():
        _check_vae_file(path)
        return
    config = path / "config.json"
    if not config.is_file() or not (path / WEIGHTS).is_file():
        raise ModelLoadError(
            f"The VAE folder {path} needs config.json and {WEIGHTS} (a diffusers AutoencoderKL)."
        )
    kind = read_model_json(config).get("_class_name")
    check_weight_shards(path)
    if kind != "AutoencoderKL":
        raise ModelLoadError(f"{path.name} is a {kind or 'non-VAE'} folder, not an AutoencoderKL.")


def _check_vae_file(path: Path) -> None:
    """A single ``.safetensors`` VAE (``vae-ft-mse-840000-ema-pruned.safetensors``,
    ``sdxl_vae.safetensors``): its header must hold an encoder and a decoder and no UNet."""
    from sdstudio.engine.models.checkpoint_header import read_shapes

    if path.suffix.lower() != ".safetensors":
        raise ModelLoadError(
            f"The VAE {path.name} is not a .safetensors file; pickle-based files (.ckpt, .pt) "
            "can run code when opened, so sdstudio does not open them."
        )
    keys = [
        key.removeprefix("first_stage_model.").removeprefix("vae.") for key in read_shapes(path)
    ]
    if any(key.startswith("model.diffusion_model.") for key in keys):
        raise ModelLoadError(f"{path.name} is a whole model, not a VAE; choose it as the model.")
    if not any(key.startswith("encoder.") for key in keys) or not any(
        key.startswith("decoder.") for key in keys
    ):
        raise ModelLoadError(f"{path.name} is not a VAE (it has no encoder and decoder weights).")


def with_user_vae(pipeline: Any, path: Path, dtype: Any) -> Any:
    """``pipeline`` with the VAE at ``path`` instead of its own."""
    vae = _vae_from_file(pipeline, path, dtype) if path.is_file() else _vae_from_folder(path, dtype)
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


def _vae_from_folder(path: Path, dtype: Any) -> Any:
    from diffusers import AutoencoderKL

    return AutoencoderKL.from_pretrained(
        path, torch_dtype=dtype, local_files_only=True, use_safetensors=True
    )


def _vae_from_file(pipeline: Any, path: Path, dtype: Any) -> Any:
    """A single file's weights hold no config: it gets the model's own VAE architecture and
    scaling factor (SD 1.x/2.x and SDXL VAEs have the same layers, so only the model can say
    which latent space the file is for); diffusers converts the original key names."""
    import tempfile

    from diffusers import AutoencoderKL

    with tempfile.TemporaryDirectory(prefix="sdstudio-vae-") as config_dir:
        pipeline.vae.save_config(config_dir)
        try:
            return AutoencoderKL.from_single_file(
                str(path), config=config_dir, torch_dtype=dtype, local_files_only=True
            )
        except (RuntimeError, ValueError, KeyError, OSError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise ModelLoadError(
                f"The VAE {path.name} does not fit this model's VAE (another size or layout): "
                f"{first_line}"
            ) from None
