"""ControlNet units as a loop extension: residuals added to every UNet call they act on.

Before the loop each unit's control image is prepared for the batch; before each UNet call
the units whose [start, end] covers the step run on the call's input and their residuals,
summed, go into the call as ``down_block_additional_residuals`` and
``mid_block_additional_residual`` (added to any that another extension put there).

The steps are counted as diffusers' ``controlnet_keep`` counts them: the run's denoising
steps (img2img's after the strength's cut), refiner's included, as
``StableDiffusionXLControlNetPipeline`` counts them with ``denoising_end``. The ControlNets
were made for the model's UNet, so they act on its steps only, never on a refiner's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sdstudio.engine.generation.controlnet.control_image import (
    control_picture,
    prepare_control_image,
)
from sdstudio.engine.generation.controlnet.residuals import (
    Residuals,
    added_residuals,
    control_residuals,
    prompt_half_only,
)
from sdstudio.engine.generation.extensions import GenerationExtension

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from sdstudio.engine.generation.controlnet.unit import ControlUnit
    from sdstudio.engine.generation.run_context import RunContext, UnetCall

DOWN = "down_block_additional_residuals"
MID = "mid_block_additional_residual"


@dataclass(frozen=True)
class LoadedUnit:
    """A unit with its ControlNet (a diffusers ``ControlNetModel`` on the model's device)."""

    unit: ControlUnit
    controlnet: Any


class ControlNetExtension(GenerationExtension):
    """Adds the units' residuals to the UNet calls of the model's own steps.

    :meth:`runs` tells a watcher of a ControlNet's modules which unit a call is for, since
    two units naming one file share one model.
    """

    def __init__(self, units: Sequence[LoadedUnit]) -> None:
        self.units = tuple(units)
        self._running: int | None = None  # the unit whose ControlNet runs now
        self._pictures: list[Image.Image] = [control_picture(each.unit.image) for each in units]
        self._images: list[torch.Tensor] = []
        self._steps = 0  # the run's denoising steps, by which start and end are counted
        self._own_steps = 0  # those the model runs; a refiner's come after them

    def before_loop(self, ctx: RunContext) -> None:
        request = ctx.request
        self._steps = len(ctx.scheduler.timesteps) - ctx.begin_index
        self._own_steps = len(ctx.timesteps)
        self._images = [
            prepare_control_image(
                ctx.pipeline,
                picture,
                request.width,
                request.height,
                ctx.rows,
                ctx.guided
                and not prompt_half_only(each.controlnet, each.unit.control_mode, ctx.guided),
                ctx.latents.device,
                each.controlnet.dtype,
            )
            for each, picture in zip(self.units, self._pictures, strict=True)
        ]

    def before_unet(self, ctx: RunContext, call: UnetCall) -> None:
        if ctx.position >= self._own_steps:
            return
        total: Residuals | None = None
        for index, (each, image) in enumerate(zip(self.units, self._images, strict=True)):
            unit = each.unit
            if not unit.keeps(ctx.position, self._steps):
                continue
            self._running = index
            try:
                residuals = control_residuals(
                    each.controlnet, call, image, unit.weight, unit.control_mode, ctx.guided
                )
            finally:
                self._running = None
            total = added_residuals(total, residuals)
        if total is None:
            return
        if DOWN in call.kwargs:
            total = added_residuals((list(call.kwargs[DOWN]), call.kwargs[MID]), total)
        call.kwargs[DOWN], call.kwargs[MID] = total

    def runs(self, index: int) -> bool:
        """Whether the ControlNet of the unit at ``index`` is running now."""
        return self._running == index
