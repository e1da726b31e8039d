"""The ``latent`` preview: a linear map from the 4 latent channels to RGB, at latent resolution.

Applied to the clean estimate (x0) this is readable from the first steps and costs well under
a millisecond. A family's published factors map *scaled* latents (what the UNet sees) to RGB
in [-1, 1]; for any other VAE the map is fitted against the model's own decoder
(``latent_fit``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
from PIL import Image

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.models.families import ModelFamily
from sdstudio.engine.previews.decoder import preview_latents, to_uint8_rgb


@dataclass(frozen=True)
class LatentRGBMap:
    """``rgb = latents @ weights + bias`` per pixel, rgb in [-1, 1]."""

    weights: tuple[tuple[float, float, float], ...]  # one row per latent channel
    bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    label: str = ""

    def to_rgb(self, latents: torch.Tensor) -> torch.Tensor:
        """(N, C, h, w) latents -> (N, 3, h, w) RGB in about [-1, 1] (not clamped)."""
        weights = torch.tensor(self.weights, dtype=torch.float32)
        bias = torch.tensor(self.bias, dtype=torch.float32)
        channels_last = latents.detach().to("cpu", torch.float32).permute(0, 2, 3, 1)
        return (channels_last @ weights + bias).permute(0, 3, 1, 2)

    def apply(self, latents: torch.Tensor) -> np.ndarray:
        """(1, C, h, w) latents -> (h, w, 3) uint8 RGB."""
        return self.apply_array(latent_array(latents))

    def apply_array(self, latents: np.ndarray) -> np.ndarray:
        """(C, h, w) float32 -> (h, w, 3) uint8, in NumPy (see ``to_uint8_rgb``)."""
        return to_uint8_rgb(np.tensordot(latents, self._weights, axes=([0], [0])) + self._bias)

    @cached_property
    def _weights(self) -> np.ndarray:
        return np.asarray(self.weights, dtype=np.float32)

    @cached_property
    def _bias(self) -> np.ndarray:
        return np.asarray(self.bias, dtype=np.float32)


@dataclass(frozen=True)
class ScaledLatentRGBMap:
    """One linear map per latent magnitude, picked by the latents' RMS at each step.

    A VAE decoder saturates for large latents, so the best linear map for the unit-scale
    latents of a trained model differs from the one for noisy latents or for an untrained
    model's wild estimates; choosing by magnitude keeps each preview's contrast right.
    """

    scales: tuple[float, ...]  # ascending RMS of the latents each map was fitted on
    maps: tuple[LatentRGBMap, ...]
    label: str = ""

    def select(self, rms: float) -> LatentRGBMap:
        rms = max(rms, 1e-6)
        distances = [abs(math.log(rms / scale)) for scale in self.scales]
        return self.maps[distances.index(min(distances))]

    def to_rgb(self, latents: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.select(_rms(item)).to_rgb(item[None]) for item in latents])

    def apply(self, latents: torch.Tensor) -> np.ndarray:
        array = latent_array(latents)
        return self.select(float(np.sqrt(np.mean(np.square(array))))).apply_array(array)


def latent_array(latents: torch.Tensor) -> np.ndarray:
    """The first latent of a batch as a (C, h, w) float32 NumPy array on the CPU."""
    return latents[0].detach().to("cpu", torch.float32).numpy()


def _rms(latents: torch.Tensor) -> float:
    return float(latents.detach().float().pow(2).mean().sqrt())


def published_map(family: ModelFamily) -> LatentRGBMap:
    """The published factors of the family's latent space (no fitting, no decoder needed)."""
    return LatentRGBMap(
        family.latent_rgb_factors, family.latent_rgb_bias, f"{family.label} published factors"
    )


class LatentPreviewDecoder:
    """Previews at latent resolution (64x64 for 512x512); the GUI scales them up."""

    def __init__(
        self, rgb_map: LatentRGBMap | ScaledLatentRGBMap, show_noisy: bool = False
    ) -> None:
        self.rgb_map = rgb_map
        self._show_noisy = show_noisy

    def decode(self, event: StepEvent) -> Image.Image:
        pixels = self.rgb_map.apply(preview_latents(event, self._show_noisy))
        return Image.fromarray(pixels, mode="RGB")
