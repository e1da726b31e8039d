"""Small helpers shared by tests."""

from __future__ import annotations

import numpy as np
from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import GenerationEvent, ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.loading import LoadedModel


def run_events(
    model: LoadedModel, request: GenerationRequest, cancel: CancelToken | None = None
) -> list[GenerationEvent]:
    return list(generate(model, request, cancel))


def finished_images(model: LoadedModel, request: GenerationRequest) -> list[Image.Image]:
    return [e.image for e in run_events(model, request) if isinstance(e, ImageFinished)]


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def max_pixel_difference(first: Image.Image, second: Image.Image) -> int:
    return int(np.abs(pixels(first) - pixels(second)).max())


def noise_image(width: int, height: int, seed: int = 0) -> Image.Image:
    values = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(values, "RGB")
