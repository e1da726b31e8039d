"""Named points where features plug into the denoising loop without changing it.

An extension is entered for a whole request (all its images) and always exited, however the
run ends, so hooks and processors it installs never outlive the run. Its points, in the order
the loop reaches them for each UNet batch (``batch_size`` images denoised together, one row
of ``ctx.latents`` each; one image unless the user asks for more):

- ``before_latents(ctx)``: conditioning, scheduler and timesteps are ready; may set
  ``ctx.latents`` itself (a row per image), and the loop then skips its own first latents
  (inpainting draws them in diffusers' inpaint order);
- ``before_loop(ctx)``: conditioning, scheduler, timesteps and first latents are ready;
- ``before_stage(ctx, stage)``: when a later stage takes over the latents (a refiner's
  steps), after the stage's own ``enter``; ``ctx.scheduler`` and ``ctx.position`` are its;
- ``before_unet(ctx, call)``: may change the UNet's input and keyword arguments;
- ``after_step(ctx, step)``: after the scheduler step, once per image (``ctx.row``, and
  ``step`` holds that image's row); may change that row of ``ctx.latents``;
- ``after_loop(ctx)``: once per image, decoded into ``ctx.image``; may replace it.

Extensions run in the order they are given, so a preview decoder placed before a module
watcher has run the VAE by the time the watcher takes its pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sdstudio.engine.generation.events import StepEvent
    from sdstudio.engine.generation.run_context import RunContext, UnetCall
    from sdstudio.engine.generation.stages import Stage


class GenerationExtension:
    """Base class with every point a no-op; subclasses override the ones they need."""

    def __enter__(self) -> GenerationExtension:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def before_latents(self, ctx: RunContext) -> None:
        """Called once per UNet batch before the first latents are made; may set them."""

    def before_loop(self, ctx: RunContext) -> None:
        """Called once per UNet batch before the first step."""

    def before_stage(self, ctx: RunContext, stage: Stage) -> None:
        """Called once per UNet batch when ``stage``, one after the first, takes over."""

    def before_unet(self, ctx: RunContext, call: UnetCall) -> None:
        """Called before each UNet call."""

    def after_step(self, ctx: RunContext, step: StepEvent) -> None:
        """Called after each scheduler step, once for each image of the batch."""

    def after_loop(self, ctx: RunContext) -> None:
        """Called once per image after decoding."""


Extensions = Sequence[GenerationExtension]
