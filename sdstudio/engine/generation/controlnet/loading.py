"""Reading a ControlNet for a model: a diffusers folder or a single ``.safetensors`` file.

Pickle-based files (``.pth``, ``.ckpt``, ``.bin``) can run code when opened, so they are
refused with a message, as every model file is. A folder must be a diffusers
``ControlNetModel`` with ``.safetensors`` weights (a sharded index is checked first). A
single file holds weights only: it is read into the architecture of the model's own UNet
(what a ControlNet copies), its control-image embedding shaped as the file says, with
diffusers' ``ControlNetModel.from_single_file`` converting A1111's key names. Either way
a ControlNet made for another family (its cross-attention width, its blocks) is refused
before the run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.controlnet.library import CONTROLNET_SUFFIX, PICKLE_SUFFIXES
from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.models.weight_shards import check_weight_shards

if TYPE_CHECKING:
    from sdstudio.engine.models.loading import LoadedModel

WEIGHTS = "diffusion_pytorch_model.safetensors"
CLASS_NAME = "ControlNetModel"
LDM_PREFIX = "control_model."  # A1111's files from the original ControlNet training code
LDM_EMBEDDING = "input_hint_block."
DIFFUSERS_EMBEDDING = "controlnet_cond_embedding."
MATCHING_CONFIG = ("cross_attention_dim", "block_out_channels", "addition_embed_type")
DEFAULT_EMBEDDING_WIDTH = 16  # diffusers' default, and every released ControlNet's


def load_controlnet(path: Path, model: LoadedModel) -> Any:
    """The ControlNet at ``path`` in the model's dtype on its device, ready to run."""
    controlnet = _from_file(path, model) if path.is_file() else _from_folder(path, model)
    _check_fits(path, controlnet.config, model.pipeline.unet.config)
    return controlnet.to(model.placement.device).eval()


def folder_config(path: Path) -> dict[str, Any]:
    """A ControlNet folder's ``config.json``, refused when it is not a ``ControlNetModel``'s."""
    config = path / "config.json"
    if not config.is_file():
        raise ModelLoadError(
            f"{path.name} is not a ControlNet: a ControlNet folder has a config.json and "
            f"{WEIGHTS} (diffusers' layout)."
        )
    values = read_model_json(config)
    kind = values.get("_class_name")
    if kind != CLASS_NAME:
        raise ModelLoadError(
            f"{path.name} is not a ControlNet: its config.json says {kind or 'nothing'}, "
            f"not {CLASS_NAME}."
        )
    return values


def single_file_template(path: Path, unet: Any) -> Any:
    """The architecture a single ``.safetensors`` ControlNet is read into for ``unet``, on the
    meta device (no memory for weights): the UNet's encoder with the control-image embedding
    shaped as the file's header says. Pickle-based files are refused."""
    import torch
    from diffusers import ControlNetModel

    from sdstudio.engine.models.checkpoint_header import read_shapes

    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES or suffix != CONTROLNET_SUFFIX:
        raise ModelLoadError(
            f"The ControlNet {path.name} is not a .safetensors file. Pickle-based files "
            "(.pth, .ckpt, .pt, .bin) can run code when opened, so sdstudio does not open "
            "them; use the model's .safetensors version."
        )
    conditioning_channels, embedding_channels = _embedding_shape(path, read_shapes(path))
    with torch.device("meta"):
        return ControlNetModel.from_unet(
            unet,
            load_weights_from_unet=False,
            conditioning_channels=conditioning_channels,
            conditioning_embedding_out_channels=embedding_channels,
        )


def embedding_width(path: Path) -> int:
    """The channels of the ControlNet's control-image embedding at the image's full size
    (what its memory grows with), from its config or its header alone."""
    from sdstudio.engine.models.checkpoint_header import read_shapes

    if path.is_dir():
        channels = folder_config(path).get("conditioning_embedding_out_channels")
        return int(channels[0]) if channels else DEFAULT_EMBEDDING_WIDTH
    return _embedding_shape(path, read_shapes(path))[1][0]


def _from_folder(path: Path, model: LoadedModel) -> Any:
    from diffusers import ControlNetModel

    folder_config(path)
    check_weight_shards(path)
    if not (path / WEIGHTS).is_file() and not any(path.glob("*.safetensors.index.json")):
        raise ModelLoadError(
            f"{path.name} has no {WEIGHTS}. Pickle-based weights (.bin) can run code when "
            "opened, so sdstudio does not open them; use a copy with .safetensors weights."
        )
    return ControlNetModel.from_pretrained(
        path, torch_dtype=model.placement.dtype, local_files_only=True, use_safetensors=True
    )


def _from_file(path: Path, model: LoadedModel) -> Any:
    from diffusers import ControlNetModel

    template = single_file_template(path, model.pipeline.unet)  # only its config is wanted
    with tempfile.TemporaryDirectory(prefix="sdstudio-controlnet-") as config_dir:
        template.save_config(config_dir)
        try:
            return ControlNetModel.from_single_file(
                str(path),
                config=config_dir,
                torch_dtype=model.placement.dtype,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, KeyError, OSError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise ModelLoadError(
                f"The ControlNet {path.name} does not fit this model ({model.family.label}): "
                f"it was made for another model family or size. {first_line}"
            ) from None


def _embedding_shape(path: Path, shapes: Mapping[str, list[int]]) -> tuple[int, tuple[int, ...]]:
    """(control image channels, the embedding's channels) from the control-image embedding's
    convolutions: first, the blocks (pairs, the second of each widening), last."""
    convs = _embedding_convs(shapes)
    if len(convs) < 2:
        if any(key.startswith(("model.diffusion_model.", "conditioner.")) for key in shapes):
            raise ModelLoadError(f"{path.name} is a whole model, not a ControlNet.")
        raise ModelLoadError(
            f"{path.name} is not a ControlNet (it has no control-image embedding weights)."
        )
    first, blocks = convs[0], convs[1:-1]
    channels = (first[0], *(block[0] for block in blocks[1::2]))
    return first[1], channels


def _embedding_convs(shapes: Mapping[str, list[int]]) -> list[list[int]]:
    """The embedding's 4-d convolution weight shapes, in the order the image goes through."""
    diffusers = DIFFUSERS_EMBEDDING
    if diffusers + "conv_in.weight" in shapes:
        count = sum(
            1 for key in shapes if key.startswith(diffusers + "blocks.") and key.endswith(".weight")
        )
        names = ["conv_in", *(f"blocks.{index}" for index in range(count)), "conv_out"]
        return [shapes[f"{diffusers}{name}.weight"] for name in names]
    found: dict[int, list[int]] = {}
    for key, shape in shapes.items():
        name = key.removeprefix(LDM_PREFIX)
        index = name.removeprefix(LDM_EMBEDDING).split(".")[0]
        if name.startswith(LDM_EMBEDDING) and index.isdigit() and len(shape) == 4:
            found[int(index)] = shape
    return [found[index] for index in sorted(found)]


def _check_fits(path: Path, config: Mapping[str, Any], unet_config: Mapping[str, Any]) -> None:
    """Refuse a ControlNet whose residuals could not be added to this UNet's blocks."""
    for key in MATCHING_CONFIG:
        mine, theirs = _listed(config.get(key)), _listed(unet_config.get(key))
        if mine != theirs:
            raise ModelLoadError(
                f"The ControlNet {path.name} was made for another model family: its {key} is "
                f"{mine}, this model's UNet has {theirs}."
            )


def _listed(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value
