"""The ``vae`` preview: the model's own decoder, exact and as slow as a final decode."""

from __future__ import annotations

import torch
from PIL import Image

from sdstudio.engine.generation.denoising import decode_latents
from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.models.loading import LoadedModel
from sdstudio.engine.previews.decoder import preview_latents


class VaePreviewDecoder:
    """Full-size previews through the same decode as the final image, so the last one equals it."""

    def __init__(self, model: LoadedModel, show_noisy: bool = False) -> None:
        self._pipe = model.pipeline
        self._show_noisy = show_noisy

    def decode(self, event: StepEvent) -> Image.Image:
        # The SD VAE decoder draws no noise; a fixed generator keeps the call identical anyway.
        generator = torch.Generator("cpu").manual_seed(0)
        with torch.inference_mode():
            return decode_latents(self._pipe, preview_latents(event, self._show_noisy), generator)
