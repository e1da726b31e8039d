"""Fitting the ``latent`` preview's linear maps to any VAE, once per model, cached on disk.

A family's published factors only suit its original VAE. For any VAE we decode a few
latents with the model's own decoder, average-pool the pixels down to latent resolution and
solve ``[latents, 1] @ map = rgb`` by least squares, one map per latent magnitude (see
``ScaledLatentRGBMap``). Fitting latents are random at several magnitudes plus the encodings
of a few smooth colour images (what a trained VAE's latents look like). The result is cached
as JSON under ``cache_dir()/latent-previews``, keyed by model source and a VAE fingerprint;
``latent_fit_cache`` checks what it reads back, and nothing about the cache stops a run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sdstudio.engine.models.loading import LoadedModel
from sdstudio.engine.paths import cache_dir
from sdstudio.engine.previews.latent_fit_cache import (
    map_problem,
    read_fit,
    remove_stale_staging,
    write_fit,
)
from sdstudio.engine.previews.latent_rgb import LatentRGBMap, ScaledLatentRGBMap, published_map

FIT_VERSION = 3
FIT_SEED = 1234
VALIDATION_SEED = 4321
FIT_SCALES = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # latent RMS values, one map each
LATENTS_PER_SCALE = 2  # random latents per scale (half that for the held-out check)
ENCODED_IMAGES = 4
FIT_LATENT_SIZE = 12  # latent height and width (96x96 pixels for an SD VAE)

_log = logging.getLogger(__name__)
_fits: dict[Path, LatentFit] = {}
_failed: set[Path] = set()
_fingerprints: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class LatentFit:
    """A fitted map and how well it matches the true decode on held-out latents."""

    rgb_map: ScaledLatentRGBMap
    psnr: float  # dB, preview vs true decode pooled to latent resolution, pixels in [0, 1]
    correlation: float  # Pearson, over all pixels and channels
    seconds: float  # how long the fit took


def latent_map_for(model: LoadedModel) -> ScaledLatentRGBMap | LatentRGBMap:
    """The map the ``latent`` preview uses: the model's own fit, or its family's if fitting fails.

    A failure (out of memory on a busy GPU, an fp16 VAE decoding to NaN, a cache folder that
    cannot be made) must not stop the run, and is remembered so it is not retried before
    every generation.
    """
    path: Path | None = None
    try:
        path = _cache_path(model)
        if path not in _failed:
            return latent_fit_for(model).rgb_map
    except Exception as error:  # a preview is never worth the run
        _log.warning("latent preview fit failed (%s); using the published factors", error)
        if path is not None:
            _failed.add(path)
    return published_map(model.family)


def latent_fit_for(model: LoadedModel) -> LatentFit:
    """From memory, else from the cache file, else fitted now and saved: once per model.

    A cache file in any doubt is fitted again; one that cannot be written leaves the fit in
    memory for this session.
    """
    path = _cache_path(model)
    fit = _fits.get(path)
    if fit is None:
        remove_stale_staging(path.parent)
        fit = _read_cached(path, model.pipeline.vae.config.latent_channels)
    if fit is None:
        fit = fit_latent_map(model.pipeline.vae, model.pipeline.vae_scale_factor)
        _write_cached(path, fit, model.source)
    _fits[path] = fit
    return fit


def fit_latent_map(vae: Any, scale_factor: int) -> LatentFit:
    """Least-squares fit of one (C -> RGB + bias) map per magnitude against ``vae``'s decoder."""
    start = time.perf_counter()
    latents = sample_fitting_latents(vae, scale_factor, FIT_SEED, LATENTS_PER_SCALE)
    targets = decode_at_latent_resolution(vae, latents, scale_factor)
    if not torch.isfinite(targets).all():
        raise RuntimeError("the VAE decoded the fitting latents to non-finite pixels")
    bins = _nearest_scale(latents)
    maps = tuple(
        _solve(latents[bins == index], targets[bins == index]) for index in range(len(FIT_SCALES))
    )
    rgb_map = ScaledLatentRGBMap(FIT_SCALES, maps, label="fitted to this model's VAE")
    problem = map_problem(rgb_map, latents.shape[1])
    if problem is not None:  # a map the cache would refuse must not be used either
        raise RuntimeError(f"the fit gave {problem}")
    held_out = sample_fitting_latents(vae, scale_factor, VALIDATION_SEED, 1)
    truth = decode_at_latent_resolution(vae, held_out, scale_factor)
    psnr, correlation = fit_quality(rgb_map, held_out, truth)
    return LatentFit(rgb_map, psnr, correlation, time.perf_counter() - start)


def fit_quality(
    rgb_map: ScaledLatentRGBMap | LatentRGBMap, latents: torch.Tensor, truth: torch.Tensor
) -> tuple[float, float]:
    """PSNR (dB, [0, 1] pixels) and correlation of the preview against the true decode."""
    preview = rgb_map.to_rgb(latents).clamp(-1, 1).double().flatten()
    target = truth.clamp(-1, 1).double().flatten()
    mse = float(((preview - target) / 2).pow(2).mean())
    psnr = 10 * math.log10(1 / max(mse, 1e-12))
    correlation = float(torch.corrcoef(torch.stack([preview, target]))[0, 1])
    return psnr, correlation


def sample_fitting_latents(vae: Any, scale_factor: int, seed: int, per_scale: int) -> torch.Tensor:
    """Scaled (UNet-space) latents, the same every time for the same VAE and seed."""
    generator = torch.Generator("cpu").manual_seed(seed)
    shape = (per_scale, vae.config.latent_channels, FIT_LATENT_SIZE, FIT_LATENT_SIZE)
    random = [torch.randn(shape, generator=generator) * scale for scale in FIT_SCALES]
    encoded = _encoded_smooth_images(vae, scale_factor, generator, per_scale * ENCODED_IMAGES // 2)
    return torch.cat([*random, encoded])


def decode_at_latent_resolution(vae: Any, latents: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """True VAE decode, averaged over each latent pixel's block: (N, 3, h, w) in [-1, 1]."""
    parameter = next(vae.parameters())
    with torch.inference_mode():
        scaled = (latents / vae.config.scaling_factor).to(parameter.device, parameter.dtype)
        pixels = vae.decode(scaled, return_dict=False)[0].float().clamp(-1, 1)
        return torch.nn.functional.avg_pool2d(pixels, scale_factor).cpu()


def _encoded_smooth_images(
    vae: Any, scale_factor: int, generator: torch.Generator, count: int
) -> torch.Tensor:
    size = FIT_LATENT_SIZE * scale_factor
    colours = torch.rand((count, 3, 4, 4), generator=generator) * 2 - 1
    images = torch.nn.functional.interpolate(colours, size=(size, size), mode="bicubic")
    parameter = next(vae.parameters())
    with torch.inference_mode():
        pixels = images.clamp(-1, 1).to(parameter.device, parameter.dtype)
        encoded = vae.encode(pixels).latent_dist.mean * vae.config.scaling_factor
    return encoded.float().cpu()


def _nearest_scale(latents: torch.Tensor) -> torch.Tensor:
    rms = latents.pow(2).mean(dim=(1, 2, 3)).sqrt().clamp_min(1e-6)
    scales = torch.tensor(FIT_SCALES)
    return (rms.log()[:, None] - scales.log()[None]).abs().argmin(dim=1)


def _solve(latents: torch.Tensor, targets: torch.Tensor) -> LatentRGBMap:
    ones = torch.ones_like(latents[:, :1])
    inputs = torch.cat([latents, ones], dim=1).permute(0, 2, 3, 1).reshape(-1, latents.shape[1] + 1)
    outputs = targets.permute(0, 2, 3, 1).reshape(-1, 3)
    solution = torch.linalg.lstsq(inputs.double(), outputs.double()).solution.tolist()
    weights = tuple(tuple(row) for row in solution[:-1])
    return LatentRGBMap(weights, tuple(solution[-1]))  # type: ignore[arg-type]


def vae_fingerprint(vae: Any) -> str:
    """A hash of the VAE's config and decoder weights (sums, not bytes: milliseconds)."""
    if vae in _fingerprints:
        return _fingerprints[vae]
    digest = hashlib.sha256(json.dumps(dict(vae.config), sort_keys=True, default=str).encode())
    with torch.inference_mode():
        for name, tensor in vae.state_dict().items():
            if name.startswith(("decoder.", "post_quant_conv.")):
                values = tensor.detach().double()
                digest.update(f"{name}{tuple(tensor.shape)}".encode())
                digest.update(
                    f"{float(values.sum()):.10e} {float(values.abs().sum()):.10e}".encode()
                )
    _fingerprints[vae] = digest.hexdigest()[:20]
    return _fingerprints[vae]


def _cache_path(model: LoadedModel) -> Path:
    source = hashlib.sha256(model.source.encode()).hexdigest()[:12]
    key = f"v{FIT_VERSION}-{source}-{vae_fingerprint(model.pipeline.vae)}"
    return cache_dir() / "latent-previews" / f"{key}.json"


def _read_cached(path: Path, latent_channels: int) -> LatentFit | None:
    """A damaged, foreign or odd cache file is ignored (and later overwritten), never an error."""
    stored = read_fit(path, latent_channels)
    return None if stored is None else LatentFit(*stored, seconds=0.0)


def _write_cached(path: Path, fit: LatentFit, source: str) -> None:
    data = {
        "version": FIT_VERSION,
        "source": source,
        "label": fit.rgb_map.label,
        "scales": list(fit.rgb_map.scales),
        "maps": [
            {"weights": [list(row) for row in item.weights], "bias": list(item.bias)}
            for item in fit.rgb_map.maps
        ],
        "psnr": fit.psnr,
        "correlation": fit.correlation,
        "fit_seconds": fit.seconds,
    }
    write_fit(path, data)
