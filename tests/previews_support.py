"""Shared setup for the preview tests: a short demo run and a random TAESD on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from sdstudio.engine.generation.events import GenerationEvent, ImageFinished, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.loading import LoadedModel
from tests.helpers import run_events


def demo_run(model: LoadedModel, size: int = 64, steps: int = 3, seed: int = 7) -> DemoRun:
    request = GenerationRequest(prompt="a cat", steps=steps, seed=seed, width=size, height=size)
    return DemoRun(run_events(model, request))


class DemoRun:
    """The step events and the finished image of one demo generation."""

    def __init__(self, events: list[GenerationEvent]) -> None:
        self.steps = [event for event in events if isinstance(event, StepEvent)]
        self.image = next(event.image for event in events if isinstance(event, ImageFinished))


def save_random_taesd(folder: Path) -> Path:
    """A randomly initialised AutoencoderTiny with TAESD's real (default) config."""
    from diffusers import AutoencoderTiny

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        AutoencoderTiny().save_pretrained(folder)
    return folder


def correlation(first: Image.Image, second: Image.Image) -> float:
    """Pearson correlation of two images' pixels, the second box-resized to the first's size."""
    a = np.asarray(first.convert("RGB"), dtype=np.float64)
    b = np.asarray(second.convert("RGB").resize(first.size, Image.Resampling.BOX), np.float64)
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
