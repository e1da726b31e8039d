"""Tiny LoRA and embedding files made in code, in the formats users download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.networks.selection import NetworkFolders

UNET_LAYERS = ("to_q", "to_k", "to_v", "to_out.0")
TEXT_LAYERS = ("q_proj", "k_proj", "v_proj", "out_proj")


def write_kohya_lora(
    pipeline: Any, path: Path, seed: int = 0, rank: int = 4, scale: float = 0.3
) -> Path:
    """An sd-scripts LoRA for ``pipeline``'s UNet attention and text encoder attention:
    ``lora_unet_…``/``lora_te_…`` keys with ``lora_down``, ``lora_up`` and ``alpha``."""
    generator = torch.Generator().manual_seed(seed)
    tensors: dict[str, torch.Tensor] = {}

    def add(prefix: str, name: str, layer: torch.nn.Linear) -> None:
        key = prefix + name.replace(".", "_")
        tensors[f"{key}.lora_down.weight"] = (
            torch.randn(rank, layer.in_features, generator=generator) * scale
        )
        tensors[f"{key}.lora_up.weight"] = (
            torch.randn(layer.out_features, rank, generator=generator) * scale
        )
        tensors[f"{key}.alpha"] = torch.tensor(float(rank) / 2)

    for name, module in pipeline.unet.named_modules():
        if name.endswith(UNET_LAYERS) and ".attn" in name:
            add("lora_unet_", name, module)
    for name, module in pipeline.text_encoder.named_modules():
        if name.endswith(TEXT_LAYERS):
            add("lora_te_text_model_", name, module)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=training_metadata())
    return path


def write_wide_lora(path: Path, width: int = 2048) -> Path:
    """A LoRA whose cross-attention reads ``width``-wide text (SDXL's 2048)."""
    key = "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(
        {
            f"{key}.lora_down.weight": torch.zeros(4, width),
            f"{key}.lora_up.weight": torch.zeros(64, 4),
            f"{key}.alpha": torch.tensor(2.0),
        },
        str(path),
    )
    return path


def training_metadata() -> dict[str, str]:
    return {
        "ss_base_model_version": "sd_v1",
        "ss_resolution": "(128, 128)",
        "ss_tag_frequency": '{"10_shapes": {"red circle": 30, "shapes": 12, "blue": 3}}',
    }


def write_embedding(path: Path, width: int, vectors: int = 2, seed: int = 0) -> torch.Tensor:
    """An embedding in the format its suffix implies: A1111's ``.pt`` (``string_to_param``),
    A1111's ``.safetensors`` (``emb_params``) or diffusers' ``.bin`` (``{token: vectors}``).
    Returns its vectors."""
    values = torch.randn(vectors, width, generator=torch.Generator().manual_seed(seed))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".pt":
        torch.save({"string_to_param": {"*": values}, "name": path.stem, "step": 100}, path)
    elif path.suffix == ".safetensors":
        save_file({"emb_params": values}, str(path))
    else:
        torch.save({f"<{path.stem}>": values}, path)
    return values


def write_sdxl_embedding(pipeline: Any, path: Path, seed: int = 8) -> dict[str, torch.Tensor]:
    """An SDXL embedding of two vectors for each of ``pipeline``'s text encoders (``clip_l``,
    ``clip_g``), as A1111 saves it. Returns its vectors by key."""
    encoders = (pipeline.text_encoder, pipeline.text_encoder_2)
    widths = [encoder.get_input_embeddings().weight.shape[-1] for encoder in encoders]
    generator = torch.Generator().manual_seed(seed)
    vectors = {
        key: torch.randn(2, width, generator=generator)
        for key, width in zip(("clip_l", "clip_g"), widths, strict=True)
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(vectors, str(path))
    return vectors


def job_result(model: Any, request: GenerationRequest, folders: NetworkFolders) -> tuple[Any, list]:
    """(the finished image or the failure message, every payload) of one job."""
    job = Job(request, saving=SaveOptions(enabled=False), networks=folders)
    payloads = [event.payload for event in run_job(model, job)]
    for payload in payloads:
        if isinstance(payload, ImageSaved):
            return payload, payloads
        if isinstance(payload, JobFailed):
            return payload.message, payloads
    raise AssertionError(f"no image and no failure: {payloads}")


def write_peft_lora(folder: Path, path: Path, seed: int = 0) -> Path:
    """A diffusers/PEFT-format LoRA (``unet.…lora_A/lora_B`` keys) for the UNet of the
    diffusers folder ``folder`` (SD or SDXL), saved with the pipeline's own
    ``save_lora_weights``."""
    from diffusers import DiffusionPipeline
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    pipeline = DiffusionPipeline.from_pretrained(folder)
    unet = pipeline.unet
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_k", "to_q", "to_v"]))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in unet.named_parameters():
            if "lora_" in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    type(pipeline).save_lora_weights(
        str(path.parent),
        unet_lora_layers=get_peft_model_state_dict(unet),
        weight_name=path.name,
        safe_serialization=True,
    )
    return path
