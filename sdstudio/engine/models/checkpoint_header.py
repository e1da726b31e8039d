"""Look inside a ``.safetensors`` checkpoint without loading it: is it whole, and which family?

Only the header is read (names and shapes), so a damaged file or a model of another family is
refused in milliseconds, before gigabytes are read and while the current model stays loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.families import FAMILIES, ModelFamily, family_for_checkpoint

UNET = "model.diffusion_model."
VAE_PREFIXES = ("first_stage_model.", "vae.")
FIRST_CONV = UNET + "input_blocks.0.0.weight"
REFINER_WIDTH = 1280  # SDXL's refiner attends to OpenCLIP ViT-bigG alone
SUPPORTED = "sdstudio runs Stable Diffusion 1.x, 2.x and XL models"


@dataclass(frozen=True)
class CheckpointInfo:
    path: Path
    family: ModelFamily
    config_name: str  # the shipped config folder it loads with (resources/model_configs)
    cross_attention_width: int | None = None  # what its UNet's cross-attention reads
    unet_in_channels: int = 4  # 9 for an inpainting model


def read_checkpoint_header(path: Path) -> CheckpointInfo:
    """The checkpoint's family, or a ``ModelLoadError`` saying why it cannot be used."""
    shapes = read_shapes(path)
    _refuse_other_models(path, shapes)
    family = _family(path, shapes)
    if not any(key.startswith(VAE_PREFIXES) for key in shapes):
        raise ModelLoadError(f"{path.name} has no VAE weights, so it cannot make images alone.")
    return CheckpointInfo(
        path,
        family,
        family.single_file_config_name(shapes),
        _cross_attention_width(shapes),
        shapes.get(FIRST_CONV, [0, 4])[1],
    )


def read_shapes(path: Path) -> dict[str, list[int]]:
    """Tensor names and shapes from the header; a damaged or foreign file gives a clear error."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as reader:
            names = reader.keys()  # a safetensors reader is not iterable
            return {key: list(reader.get_slice(key).get_shape()) for key in names}
    except SafetensorError as error:
        if "not fully covered" in str(error) or "incomplete" in str(error):
            raise ModelLoadError(
                f"{path.name} is truncated (the file is shorter than its header says); "
                "the download or copy was probably interrupted. Download it again."
            ) from None
        raise ModelLoadError(
            f"{path.name} is not a valid .safetensors model file (it may be damaged, "
            "incompletely downloaded, or another kind of file renamed)."
        ) from None
    except OSError as error:
        raise ModelLoadError(f"Could not read {path}: {error.strerror or error}") from None


def _refuse_other_models(path: Path, shapes: dict[str, list[int]]) -> None:
    keys = shapes.keys()
    if _any_contains(keys, ("joint_blocks.", "double_blocks.", "single_blocks.")):
        raise ModelLoadError(f"{path.name} is an SD3 or Flux model; {SUPPORTED}.")
    if not _any_prefix(keys, UNET):
        raise ModelLoadError(f"{path.name} is not a Stable Diffusion checkpoint: {_guess(keys)}")
    channels = shapes.get(FIRST_CONV, [0, 4])[1]
    if any(channels in family.capabilities.inpainting_unet_channels for family in FAMILIES):
        return
    if channels != 4:
        raise ModelLoadError(
            f"{path.name} has a UNet with {channels} input channels (an instruct or depth "
            f"model?); {SUPPORTED} with 4 latent channels."
        )


def _family(path: Path, shapes: dict[str, list[int]]) -> ModelFamily:
    family = family_for_checkpoint(shapes)
    if family is not None:
        return family
    widths = {family.cross_attention_width for family in FAMILIES} | {REFINER_WIDTH}
    if _cross_attention_width(shapes) in widths:
        raise ModelLoadError(f"{path.name} has no text encoder weights; it cannot read prompts.")
    raise ModelLoadError(f"Could not tell which model family {path.name} is; {SUPPORTED}.")


def _cross_attention_width(shapes: dict[str, list[int]]) -> int | None:
    """The text-embedding width the UNet attends to: 768 SD1, 1024 SD2, 2048 SDXL (1280 its
    refiner)."""
    for key, shape in shapes.items():
        if key.startswith(UNET) and key.endswith("attn2.to_k.weight"):
            return shape[-1]
    return None


def _guess(keys: Iterable[str]) -> str:
    keys = list(keys)
    if _any_contains(keys, ("lora_", ".lora.", "lora_down", "lora_A")):
        return "it looks like a LoRA, which adds to a model rather than being one."
    if _any_prefix(keys, ("encoder.", "decoder.", *VAE_PREFIXES)):
        return "it looks like a VAE on its own, not a full model."
    if len(keys) < 5:
        return "it looks like a textual-inversion embedding or another small add-on."
    return "it has no UNet weights (model.diffusion_model.*)."


def _any_prefix(keys: Iterable[str], prefix: str | tuple[str, ...]) -> bool:
    return any(key.startswith(prefix) for key in keys)


def _any_contains(keys: Iterable[str], parts: tuple[str, ...]) -> bool:
    return any(part in key for key in keys for part in parts)
