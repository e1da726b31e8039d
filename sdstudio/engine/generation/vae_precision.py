"""The VAE in float32 for a moment: fp16 overflows in SDXL's VAE (NaNs, black images)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch


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
