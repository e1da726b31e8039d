"""Small immutable messages the denoising loop yields; front ends turn them into UI updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from PIL import Image


@dataclass(frozen=True)
class StepEvent:
    """One finished denoising step of one image of a run.

    ``latents`` are the scheduler's current (noisy) latents; ``x0`` is the model's estimate of
    the clean latents at this step, which is what readable previews are made from; both have
    this image's row only. ``image_index`` counts the run's images from 0 and ``batch_count``
    is how many it makes in all; images of one UNet batch step together, each with its own
    event, ``row`` being its place in that batch.
    """

    step: int  # 1-based: "step 3 of 20"
    total: int
    timestep: float
    latents: torch.Tensor
    x0: torch.Tensor
    image_index: int = 0
    batch_count: int = 1
    row: int = 0


@dataclass(frozen=True)
class ImageFinished:
    """A finished image and the seed that made it."""

    image: Image.Image
    seed: int
    image_index: int = 0
    batch_count: int = 1


@dataclass(frozen=True)
class Cancelled:
    """The run stopped at the user's request; no image was produced for the current item."""

    after_step: int


GenerationEvent = StepEvent | ImageFinished | Cancelled


@dataclass(frozen=True)
class Notice:
    """Something worth telling the user that did not stop the run (previews stopped...).

    ``topic`` says what it is about (:data:`PREVIEWS_TOPIC`...), so a front end can act on
    it (the window falls back to latent previews) without reading the text.
    """

    text: str
    topic: str = ""


PREVIEWS_TOPIC = "previews"  # the run's previews could not be made, or stopped
