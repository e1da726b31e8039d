"""Latent blending, the way an ordinary (4-channel) model inpaints in diffusers' pipelines: after
every scheduler step the part outside the mask is replaced by the picture's own latents, noised
to the level of the step that follows, so the model repaints the masked part in the context of
what is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from sdstudio.engine.generation.run_context import RunContext


@dataclass(frozen=True)
class LatentBlend:
    """What an ordinary UNet's steps put back outside the mask: ``kept`` (a row per image)
    noised with ``noise`` to the timestep after each of ``timesteps``, clean after the last;
    the stage's first step is the run's step ``first_position``."""

    kept: torch.Tensor
    noise: torch.Tensor
    timesteps: torch.Tensor
    first_position: int

    def kept_after(self, ctx: RunContext) -> torch.Tensor:
        """The kept latents of the current image after the step ``ctx.position``."""
        row = slice(ctx.row, ctx.row + 1)
        kept = self.kept[row]
        index = ctx.position - self.first_position
        if index < len(self.timesteps) - 1:
            following = self.timesteps[index + 1]
            kept = ctx.scheduler.add_noise(kept, self.noise[row], torch.tensor([following]))
        return kept
