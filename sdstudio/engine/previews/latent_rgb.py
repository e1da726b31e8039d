"""The ``latent`` preview: a linear map from the 4 latent channels to RGB, at latent resolution.

Applied to the clean estimate (x0) this is readable from the first steps and costs well under
a millisecond. The published factors below map *scaled* latents (what the UNet sees) to RGB in
[-1, 1]; for any other VAE the map is fitted against the model's own decoder (``latent_fit``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from sdstudio.engine.events import StepEvent
from sdstudio.engine.previews.decoder import preview_latents


@dataclass(frozen=True)
class LatentRGBMap:
    """``rgb = latents @ weights + bias`` per pixel, rgb in [-1, 1]."""

    weights: tuple[tuple[float, float, float], ...]  # one row per latent channel
    bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    label: str = ""

    def apply(self, latents: torch.Tensor) -> np.ndarray:
        """(1, C, h, w) latents -> (h, w, 3) uint8 RGB."""
        weights = torch.tensor(self.weights, dtype=torch.float32)
        bias = torch.tensor(self.bias, dtype=torch.float32)
        channels_last = latents[0].detach().to("cpu", torch.float32).permute(1, 2, 0)
        rgb = channels_last @ weights + bias
        pixels = ((rgb + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
        return pixels.numpy()


# Published factors for the Stable Diffusion latent spaces (as used by ComfyUI's previews).
# SD 2.x shares SD 1.x's VAE, hence its latent space.
SD1_MAP = LatentRGBMap(
    weights=(
        (0.3512, 0.2297, 0.3227),
        (0.3250, 0.4974, 0.2350),
        (-0.2829, 0.1762, 0.2721),
        (-0.2120, -0.2616, -0.7177),
    ),
    label="SD 1.x/2.x published factors",
)
SD2_MAP = LatentRGBMap(SD1_MAP.weights, SD1_MAP.bias, "SD 2.x published factors (SD 1.x VAE)")
SDXL_MAP = LatentRGBMap(
    weights=(
        (0.3651, 0.4232, 0.4341),
        (-0.2533, -0.0042, 0.1068),
        (0.1076, 0.1111, -0.0362),
        (-0.3165, -0.2492, -0.2188),
    ),
    bias=(0.1084, -0.0175, -0.0011),
    label="SDXL published factors",
)
PUBLISHED_MAPS: dict[str, LatentRGBMap] = {"sd1": SD1_MAP, "sd2": SD2_MAP, "sdxl": SDXL_MAP}


class LatentPreviewDecoder:
    """Previews at latent resolution (64x64 for 512x512); the GUI scales them up."""

    def __init__(self, rgb_map: LatentRGBMap, show_noisy: bool = False) -> None:
        self.rgb_map = rgb_map
        self._show_noisy = show_noisy

    def decode(self, event: StepEvent) -> Image.Image:
        pixels = self.rgb_map.apply(preview_latents(event, self._show_noisy))
        return Image.fromarray(pixels, mode="RGB")
