"""What the trainer feeds the networks: rendered scenes as tensors, and their prompts.

All randomness comes from one ``random.Random``, so a seed fixes every batch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from sdstudio.training.world import Scene, prompt_for, random_scene, render

PROMPT_DROPOUT = 0.1  # how often the prompt is empty, so classifier-free guidance works


def to_tensor(images: list[Image.Image]) -> torch.Tensor:
    """RGB pictures as a batch in [-1, 1], channels first."""
    array = np.stack([np.asarray(image, dtype=np.float32) for image in images])
    return torch.from_numpy(array).permute(0, 3, 1, 2) / 127.5 - 1.0


def to_images(batch: torch.Tensor) -> list[Image.Image]:
    array = ((batch.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    return [Image.fromarray(each) for each in array]


def image_batch(rng: random.Random, size: int, crop: int | None = None) -> torch.Tensor:
    """Rendered scenes; with ``crop``, a random ``crop``×``crop`` window of each."""
    images = [render(random_scene(rng), rng) for _ in range(size)]
    if crop is not None and crop < images[0].width:
        corners = [
            (rng.randrange(0, i.width - crop + 1, 8), rng.randrange(0, i.height - crop + 1, 8))
            for i in images
        ]
        pairs = zip(images, corners, strict=True)
        images = [i.crop((x, y, x + crop, y + crop)) for i, (x, y) in pairs]
    return to_tensor(images)


@dataclass
class LatentPool:
    """Scenes encoded once by the trained VAE: the UNet phase draws its batches from here
    instead of encoding pictures every step (the VAE is frozen by then)."""

    scenes: list[Scene]
    mean: torch.Tensor  # (n, 4, 16, 16), already multiplied by the scaling factor
    std: torch.Tensor

    def batch(self, rng: random.Random, size: int) -> tuple[torch.Tensor, list[str]]:
        """Latents sampled from the VAE's posterior, and a prompt (or paraphrase) for each."""
        latents, prompts, _ = self.batch_with_scenes(rng, size)
        return latents, prompts

    def batch_with_scenes(
        self, rng: random.Random, size: int
    ) -> tuple[torch.Tensor, list[str], list[Scene | None]]:
        """As :meth:`batch`, with each sample's scene (``None`` where the prompt is empty)."""
        indices = [rng.randrange(len(self.scenes)) for _ in range(size)]
        noise = torch.randn(size, *self.mean.shape[1:])
        latents = self.mean[indices] + self.std[indices] * noise
        prompts = [
            "" if rng.random() < PROMPT_DROPOUT else prompt_for(self.scenes[i], rng)
            for i in indices
        ]
        scenes = [
            self.scenes[i] if prompt else None for i, prompt in zip(indices, prompts, strict=True)
        ]
        return latents, prompts, scenes
