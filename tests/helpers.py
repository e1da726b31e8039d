"""Small helpers shared by tests."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import GenerationEvent, ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.loading import LoadedModel

ROOT = Path(__file__).resolve().parent.parent


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


def gray_channel(picture: Image.Image) -> np.ndarray:
    """A map's one channel, after checking it is gray (an RGB picture, three equal channels)."""
    values = np.asarray(picture)
    assert picture.mode == "RGB"
    assert (values[..., 0] == values[..., 1]).all() and (values[..., 1] == values[..., 2]).all()
    return values[..., 0]


def libraries_loaded_by(imports: str, libraries: set[str]) -> list[str]:
    """Which of ``libraries`` a fresh Python has loaded after ``imports`` (a statement run
    from the project's root), sorted: what importing our modules costs at start-up."""
    code = f"import sys\n{imports}\nprint(sorted(set({sorted(libraries)!r}) & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])
