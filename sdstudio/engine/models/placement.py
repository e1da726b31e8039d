"""Putting a loaded pipeline on its device with the memory options the user chose."""

from __future__ import annotations

from typing import Any

from sdstudio.engine.devices import DevicePlacement
from sdstudio.engine.models.load_options import LoadOptions


def place_pipeline(pipeline: Any, placement: DevicePlacement, options: LoadOptions) -> Any:
    """Move ``pipeline`` to the device; keep the VAE in fp32 when its config asks for it.

    The SD VAE overflows in fp16 (NaNs, black images), which is what its ``force_upcast``
    config flag says; the denoising loop casts latents to the VAE's dtype before decoding.
    """
    import torch

    pipeline.set_progress_bar_config(disable=True)
    if options.attention_slicing:
        pipeline.enable_attention_slicing()
    if options.vae_tiling:
        pipeline.vae.enable_tiling()
    if options.cpu_offload and placement.device.type == "cuda":
        pipeline.enable_model_cpu_offload(device=placement.device)
    else:
        pipeline.to(placement.device)
    if placement.dtype == torch.float16 and pipeline.vae.config.get("force_upcast", True):
        pipeline.vae.to(dtype=torch.float32)
    return pipeline
