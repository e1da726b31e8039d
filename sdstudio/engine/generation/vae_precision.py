"""The VAE in float32 for a moment: fp16 overflows in SDXL's VAE (NaNs, black images); and
encoding pixels to latents and decoding them the way diffusers' pipelines do, with or without
that upcast, in tiles when the picture is large (:mod:`.vae_tiling`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from PIL import Image

from sdstudio.engine.generation.vae_tiling import tiled_when_large


@contextlib.contextmanager
def vae_in_float32(vae: Any, wanted: bool) -> Iterator[None]:
    """The VAE in float32 inside the block when ``wanted`` and it says ``force_upcast``, back
    in its own dtype after (diffusers' SDXL pipelines do this around encode and decode)."""
    dtype = vae.dtype
    upcast = wanted and bool(vae.config.get("force_upcast", False))
    if upcast:
        vae.to(dtype=torch.float32)
    try:
        yield
    finally:
        if upcast:
            vae.to(dtype=dtype)


def encode_latents(
    pipe: Any,
    pixels: torch.Tensor,
    generator: torch.Generator | Sequence[torch.Generator],
    dtype: torch.dtype,
    upcast: bool,
) -> torch.Tensor:
    """Pixels in [-1, 1] to scaled latents sampled from the VAE's distribution with
    ``generator``, in ``dtype``. With ``upcast`` (SDXL), in float32 around an fp16 VAE that
    says ``force_upcast``, then cast and scaled in diffusers' SDXL order; otherwise scaled,
    then cast, as its SD 1.x/2.x pipelines do.

    With a list of generators (a batch), one picture is encoded once and sampled once per
    generator: row ``k`` is exactly what a lone run with generator ``k`` gets."""
    vae = pipe.vae
    height, width = pixels.shape[-2:]
    with tiled_when_large(vae, width, height), vae_in_float32(vae, upcast):
        distribution = vae.encode(pixels.to(dtype=vae.dtype)).latent_dist
        if not isinstance(generator, (list, tuple)):
            encoded = distribution.sample(generator)
        else:
            encoded = torch.cat([distribution.sample(each) for each in generator])
    if upcast:
        return vae.config.scaling_factor * encoded.to(dtype)
    return (vae.config.scaling_factor * encoded).to(dtype)


def decode_latents(
    pipe: Any, latents: torch.Tensor, generator: torch.Generator, upcast: bool = False
) -> Image.Image:
    """Latents to a PIL image through the full VAE decoder; with ``upcast`` an fp16 VAE that
    says ``force_upcast`` decodes in float32, as diffusers' SDXL pipelines do."""
    vae = pipe.vae
    factor = pipe.vae_scale_factor
    height, width = latents.shape[-2] * factor, latents.shape[-1] * factor
    with (
        tiled_when_large(vae, width, height),
        vae_in_float32(vae, upcast and vae.dtype == torch.float16),
    ):
        scaled = latents.to(vae.dtype) / vae.config.scaling_factor
        pixels = vae.decode(scaled, return_dict=False, generator=generator)[0]
    return pipe.image_processor.postprocess(pixels, output_type="pil", do_denormalize=[True])[0]
