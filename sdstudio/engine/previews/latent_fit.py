"""Fitting the ``latent`` preview's linear map to any VAE, once per model, cached on disk.

The published factors only suit the SD 1.x/2.x/SDXL VAEs. For any VAE we decode a few
latents with the model's own decoder, average-pool the pixels down to latent resolution, and
solve ``[latents, 1] @ map = rgb`` by least squares. The result is cached as JSON under
``cache_dir()/latent-previews``, keyed by the model's source and a fingerprint of its VAE.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from sdstudio.engine.model_loading import LoadedModel
from sdstudio.engine.paths import cache_dir
from sdstudio.engine.previews.latent_rgb import LatentRGBMap

FIT_VERSION = 1
FIT_SEED = 1234
FIT_LATENTS = 8  # how many latents are decoded for one fit
FIT_LATENT_SIZE = 16  # their height and width (128x128 pixels for an SD VAE)

_fitted: dict[Path, LatentRGBMap] = {}


def latent_map_for(model: LoadedModel) -> LatentRGBMap:
    """The model's fitted map: from memory, else from the cache file, else fitted and saved."""
    path = _cache_path(model)
    if path in _fitted:
        return _fitted[path]
    rgb_map = _read_cached(path)
    if rgb_map is None:
        rgb_map = fit_latent_map(model.pipeline.vae, model.pipeline.vae_scale_factor)
        _write_cached(path, rgb_map, model.source)
    _fitted[path] = rgb_map
    return rgb_map


def fit_latent_map(vae: Any, scale_factor: int) -> LatentRGBMap:
    """Least-squares fit of a 4 -> RGB map (with bias) against ``vae``'s own decoder."""
    latents = fitting_latents(vae)
    targets = decode_at_latent_resolution(vae, latents, scale_factor)
    inputs = _with_ones(latents)
    outputs = targets.permute(0, 2, 3, 1).reshape(-1, 3).double()
    solution = torch.linalg.lstsq(inputs, outputs).solution
    weights = tuple(tuple(float(v) for v in row) for row in solution[:-1].tolist())
    bias = tuple(float(v) for v in solution[-1].tolist())
    return LatentRGBMap(weights, bias, label="fitted to this model's VAE")  # type: ignore[arg-type]


def fitting_latents(vae: Any) -> torch.Tensor:
    """Scaled (UNet-space) latents to fit on, the same every time for the same VAE."""
    generator = torch.Generator("cpu").manual_seed(FIT_SEED)
    channels = vae.config.latent_channels
    shape = (FIT_LATENTS, channels, FIT_LATENT_SIZE, FIT_LATENT_SIZE)
    return torch.randn(shape, generator=generator)


def decode_at_latent_resolution(vae: Any, latents: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """True VAE decode, averaged over each latent pixel's block: (N, 3, h, w) in [-1, 1]."""
    parameter = next(vae.parameters())
    with torch.inference_mode():
        scaled = (latents / vae.config.scaling_factor).to(parameter.device, parameter.dtype)
        pixels = vae.decode(scaled, return_dict=False)[0].float().clamp(-1, 1)
        return torch.nn.functional.avg_pool2d(pixels, scale_factor).cpu()


def _with_ones(latents: torch.Tensor) -> torch.Tensor:
    ones = torch.ones_like(latents[:, :1])
    stacked = torch.cat([latents.float().cpu(), ones], dim=1)
    return stacked.permute(0, 2, 3, 1).reshape(-1, stacked.shape[1]).double()


def vae_fingerprint(vae: Any) -> str:
    """A cheap hash of the VAE's config and decoder weights (sums, not bytes: milliseconds)."""
    digest = hashlib.sha256(json.dumps(dict(vae.config), sort_keys=True, default=str).encode())
    with torch.inference_mode():
        for name, tensor in vae.state_dict().items():
            if name.startswith(("decoder.", "post_quant_conv.")):
                values = tensor.detach().double()
                digest.update(f"{name}{tuple(tensor.shape)}".encode())
                digest.update(
                    f"{float(values.sum()):.10e}{float(values.abs().sum()):.10e}".encode()
                )
    return digest.hexdigest()[:20]


def _cache_path(model: LoadedModel) -> Path:
    source = hashlib.sha256(model.source.encode()).hexdigest()[:12]
    key = f"v{FIT_VERSION}-{source}-{vae_fingerprint(model.pipeline.vae)}"
    return cache_dir() / "latent-previews" / f"{key}.json"


def _read_cached(path: Path) -> LatentRGBMap | None:
    """A damaged or foreign cache file is ignored (and later overwritten), never an error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = tuple(tuple(float(v) for v in row) for row in data["weights"])
        bias = tuple(float(v) for v in data["bias"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(bias) != 3 or any(len(row) != 3 for row in weights):
        return None
    return LatentRGBMap(weights, bias, label=str(data.get("label", "")))  # type: ignore[arg-type]


def _write_cached(path: Path, rgb_map: LatentRGBMap, source: str) -> None:
    """Atomic write, so a concurrent reader sees either nothing or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": FIT_VERSION,
        "source": source,
        "label": rgb_map.label,
        "weights": [list(row) for row in rgb_map.weights],
        "bias": list(rgb_map.bias),
    }
    handle, staging = tempfile.mkstemp(prefix=".fit-", suffix=".json", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=1)
    os.replace(staging, path)
