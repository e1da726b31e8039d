"""Model files for the model-source tests, made from a random SD pipeline (tiny, random weights).

``write_original_layout_checkpoint`` writes a pipeline as a single-file checkpoint with the key
names of the original Stable Diffusion layout (``model.diffusion_model.*``,
``first_stage_model.*``, ``cond_stage_model.transformer.*``), the form model sites distribute.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import torch
from safetensors.torch import save_file


def copy_model_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def make_v_prediction_folder(source: Path, target: Path) -> Path:
    """A copy of a diffusers folder whose scheduler says the UNet predicts v."""
    copy_model_folder(source, target)
    config_file = target / "scheduler" / "scheduler_config.json"
    config = json.loads(config_file.read_text())
    config["prediction_type"] = "v_prediction"
    config_file.write_text(json.dumps(config))
    return target


def original_layout_vae_tensors(vae, prefix: str = "first_stage_model.") -> dict:
    """A diffusers VAE's weights under the original names (``prefix`` "" for a VAE file)."""
    tensors: dict[str, torch.Tensor] = {}
    for key, value in vae.state_dict().items():
        ldm_key = _vae_key(key, len(vae.config.up_block_types))
        if "mid.attn_1." in ldm_key and value.ndim == 2:
            value = value[:, :, None, None]  # the original VAE attention uses 1x1 convolutions
        tensors[prefix + ldm_key] = value.contiguous()
    return tensors


def write_vae_file(vae, path: Path) -> Path:
    """A VAE alone in the original single-file layout (``encoder.down.0.block…``), as VAE
    files are shared online."""
    save_file(original_layout_vae_tensors(vae, prefix=""), str(path))
    return path


def build_wider_vae():  # -> AutoencoderKL
    """A random VAE of another size than the demo's (two levels, 32 and 64 channels)."""
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        block_out_channels=(32, 64),
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        layers_per_block=1,
        norm_num_groups=8,
    )


def write_original_layout_checkpoint(pipeline, path: Path) -> Path:
    tensors: dict[str, torch.Tensor] = {}
    unet = pipeline.unet
    for key, value in unet.state_dict().items():
        tensors["model.diffusion_model." + _unet_key(key, unet.config)] = value
    tensors.update(original_layout_vae_tensors(pipeline.vae))
    for key, value in pipeline.text_encoder.state_dict().items():
        if not key.startswith("text_model."):
            key = "text_model." + key
        tensors["cond_stage_model.transformer." + key] = value
    save_file({key: value.contiguous() for key, value in tensors.items()}, str(path))
    return path


def write_original_layout_sdxl_checkpoint(pipeline, path: Path) -> Path:
    """An SDXL pipeline in sgm's single-file layout: the UNet and VAE as SD's, the CLIP
    encoder at ``conditioner.embedders.0.transformer``, OpenCLIP's at ``embedders.1.model``
    (``embedders.0.model`` in a refiner, which has only that one) with fused attention
    projections and a transposed text projection."""
    tensors: dict[str, torch.Tensor] = {}
    unet = pipeline.unet
    for key, value in unet.state_dict().items():
        tensors["model.diffusion_model." + _unet_key(key, unet.config)] = value
    tensors.update(original_layout_vae_tensors(pipeline.vae))
    openclip = "conditioner.embedders.0.model."
    if pipeline.text_encoder is not None:
        for key, value in pipeline.text_encoder.state_dict().items():
            if not key.startswith("text_model."):
                key = "text_model." + key
            tensors["conditioner.embedders.0.transformer." + key] = value
        openclip = "conditioner.embedders.1.model."
    for key, value in _openclip_tensors(pipeline.text_encoder_2).items():
        tensors[openclip + key] = value
    save_file({key: value.contiguous() for key, value in tensors.items()}, str(path))
    return path


def _openclip_tensors(encoder) -> dict[str, torch.Tensor]:
    """A transformers CLIPTextModelWithProjection's weights under OpenCLIP's names."""
    state = {k.removeprefix("text_model."): v for k, v in encoder.state_dict().items()}
    out = {
        "token_embedding.weight": state.pop("embeddings.token_embedding.weight"),
        "positional_embedding": state.pop("embeddings.position_embedding.weight"),
        "ln_final.weight": state.pop("final_layer_norm.weight"),
        "ln_final.bias": state.pop("final_layer_norm.bias"),
        "text_projection": state.pop("text_projection.weight").T,
    }
    renames = {
        "self_attn.out_proj": "attn.out_proj",
        "layer_norm1": "ln_1",
        "layer_norm2": "ln_2",
        "mlp.fc1": "mlp.c_fc",
        "mlp.fc2": "mlp.c_proj",
    }
    for layer in range(encoder.config.num_hidden_layers):
        source, target = f"encoder.layers.{layer}.", f"transformer.resblocks.{layer}."
        for kind in ("weight", "bias"):
            out[target + f"attn.in_proj_{kind}"] = torch.cat(
                [state.pop(source + f"self_attn.{p}_proj.{kind}") for p in "qkv"]
            )
            for new, old in renames.items():
                out[target + f"{old}.{kind}"] = state.pop(source + f"{new}.{kind}")
    state.pop("embeddings.position_ids", None)
    assert not state, f"unmapped text encoder weights: {sorted(state)}"
    return out


def write_code_running_pickle(path: Path, marker: Path) -> Path:
    """A torch-style checkpoint whose unpickling would create ``marker``."""

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with path.open("wb") as stream:
        pickle.dump({"state_dict": Payload()}, stream)
    return path


def _unet_key(key: str, config) -> str:
    per_block = config.layers_per_block
    resnet_names = [
        ("norm1", "in_layers.0"),
        ("conv1", "in_layers.2"),
        ("norm2", "out_layers.0"),
        ("conv2", "out_layers.3"),
        ("time_emb_proj", "emb_layers.1"),
        ("conv_shortcut", "skip_connection"),
    ]
    simple = {
        "add_embedding.linear_1": "label_emb.0.0",  # SDXL's pooled text + size ids
        "add_embedding.linear_2": "label_emb.0.2",
        "time_embedding.linear_1": "time_embed.0",
        "time_embedding.linear_2": "time_embed.2",
        "conv_in": "input_blocks.0.0",
        "conv_norm_out": "out.0",
        "conv_out": "out.2",
    }
    for new, old in simple.items():
        if key.startswith(new + "."):
            return old + key[len(new) :]
    parts = key.split(".")
    if parts[0] == "down_blocks":
        block = int(parts[1])
        if parts[2] == "downsamplers":
            return f"input_blocks.{(block + 1) * (per_block + 1)}.0.op." + ".".join(parts[5:])
        index = 1 + block * (per_block + 1) + int(parts[3])
        prefix, rest = f"input_blocks.{index}", ".".join(parts[4:])
        kind = parts[2]
    elif parts[0] == "up_blocks":
        block = int(parts[1])
        if parts[2] == "upsamplers":
            slot = 2 if config.up_block_types[block].startswith("CrossAttn") else 1
            index = block * (per_block + 1) + per_block
            return f"output_blocks.{index}.{slot}.conv." + ".".join(parts[5:])
        index = block * (per_block + 1) + int(parts[3])
        prefix, rest = f"output_blocks.{index}", ".".join(parts[4:])
        kind = parts[2]
    elif parts[0] == "mid_block":
        kind = parts[1]
        position = 1 if kind == "attentions" else 2 * int(parts[2])
        prefix, rest = f"middle_block.{position}", ".".join(parts[3:])
    else:
        raise KeyError(key)
    if kind == "resnets":
        for new, old in resnet_names:
            if rest.startswith(new + "."):
                rest = old + rest[len(new) :]
        return f"{prefix}.0.{rest}" if not prefix.startswith("middle") else f"{prefix}.{rest}"
    return f"{prefix}.1.{rest}" if not prefix.startswith("middle") else f"{prefix}.{rest}"


def _vae_key(key: str, block_count: int) -> str:
    renames = [
        ("conv_norm_out", "norm_out"),
        ("mid_block.attentions.0.group_norm", "mid.attn_1.norm"),
        ("mid_block.attentions.0.to_q", "mid.attn_1.q"),
        ("mid_block.attentions.0.to_k", "mid.attn_1.k"),
        ("mid_block.attentions.0.to_v", "mid.attn_1.v"),
        ("mid_block.attentions.0.to_out.0", "mid.attn_1.proj_out"),
        ("mid_block.resnets.0", "mid.block_1"),
        ("mid_block.resnets.1", "mid.block_2"),
        ("conv_shortcut", "nin_shortcut"),
    ]
    for new, old in renames:
        key = key.replace(new, old)
    parts = key.split(".")
    if parts[0] == "encoder" and parts[1] == "down_blocks":
        block = parts[2]
        if parts[3] == "downsamplers":
            return f"encoder.down.{block}.downsample." + ".".join(parts[5:])
        return f"encoder.down.{block}.block." + ".".join(parts[4:])
    if parts[0] == "decoder" and parts[1] == "up_blocks":
        block = block_count - 1 - int(parts[2])
        if parts[3] == "upsamplers":
            return f"decoder.up.{block}.upsample." + ".".join(parts[5:])
        return f"decoder.up.{block}.block." + ".".join(parts[4:])
    return key


def write_sd2_shaped_folder(target: Path, width: int = 1024) -> Path:
    """The demo pipeline with SD 2.x's text width: the UNet attends to 1024-wide embeddings."""
    from diffusers import UNet2DConditionModel
    from transformers import CLIPTextModel

    from sdstudio.engine.models.families import SD2
    from tests.random_sd_model import build_random_sd_pipeline

    demo = build_random_sd_pipeline()
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_config({**demo.unet.config, "cross_attention_dim": width})
    text_config = demo.text_encoder.config
    text_config.hidden_size = width
    text_encoder = CLIPTextModel(text_config)
    pipeline = SD2.assemble(
        vae=demo.vae,
        text_encoder=text_encoder.eval(),
        tokenizer=demo.tokenizer,
        unet=unet.eval(),
        scheduler=demo.scheduler,
    )
    pipeline.save_pretrained(target, safe_serialization=True)
    return target
