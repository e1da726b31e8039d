"""The one thing every preview decoder does: one step event in, one picture out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from sdstudio.engine.generation.events import StepEvent


class PreviewDecoder(Protocol):
    """Turns a step's latents into a picture; called on the worker thread, never on the GUI."""

    def decode(self, event: StepEvent) -> Image.Image: ...


def preview_latents(event: StepEvent, show_noisy: bool) -> torch.Tensor:
    """The clean estimate makes readable previews; the noisy latents show the noise going away."""
    return event.latents if show_noisy else event.x0


def to_uint8_rgb(pixels: np.ndarray) -> np.ndarray:
    """(h, w, 3) values in [-1, 1] -> uint8, in NumPy: small torch ops each wake torch's
    thread pool, which on a busy CPU costs far more than the arithmetic itself."""
    return np.clip(np.rint((pixels + 1.0) * 127.5), 0, 255).astype(np.uint8)
