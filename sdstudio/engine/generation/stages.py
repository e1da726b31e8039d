"""A run's stages: the model that denoises each part of the steps.

Most runs have one stage. With a refiner, the base model stops at the switch point and the
refiner finishes from the same latents (SDXL's "ensemble of experts"), with diffusers'
``denoising_end``/``denoising_start`` cut-off: both take the timestep
``round(T - switch * T)`` of the ``T`` training steps as the border, the base keeping the
steps at or above it and the refiner the ones below (one more for second-order schedulers,
so that a step is not split between its two halves).

A hires fix adds a stage at the hires size whose ``enter`` upscales the first stage's
latents and noises them (:mod:`sdstudio.engine.generation.hires`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from sdstudio.engine.generation.schedulers import make_scheduler
from sdstudio.engine.prompts.network_tags import without_network_tags

if TYPE_CHECKING:
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.generation.run_context import RunContext
    from sdstudio.engine.models.families.conditioning import Conditioning
    from sdstudio.engine.models.loading import LoadedModel


@dataclass
class Stage:
    """One model's share of the steps, with everything its UNet calls need."""

    pipeline: Any
    conditioning: Conditioning
    scheduler: Any
    timesteps: Any
    begin_index: int  # where ``timesteps`` start in the scheduler's full list
    guided: bool
    timestep_cond: torch.Tensor | None
    step_kwargs: dict[str, Any]
    upcast_vae: bool = False  # decode in float32 (the family's ``upcasts_vae``)
    # What happens to ``ctx.latents`` before the stage's first step (the hires pass's upscale
    # and noise); None: the stage goes on from the previous one's latents as they are.
    enter: Callable[[RunContext], None] | None = None

    @property
    def prediction_type(self) -> str:
        return self.scheduler.config.get("prediction_type", "epsilon")


def switch_timestep(scheduler: Any, switch: float) -> int:
    """The border between the base's and the refiner's steps, as diffusers computes it."""
    total = scheduler.config.num_train_timesteps
    return int(round(total - switch * total))


def steps_before_switch(scheduler: Any, timesteps: torch.Tensor, switch: float) -> torch.Tensor:
    """The base model's steps: those at or above the border."""
    border = switch_timestep(scheduler, switch)
    return timesteps[: int((timesteps >= border).sum())]


def refiner_stage(
    refiner: LoadedModel,
    request: GenerationRequest,
    device: torch.device,
    generator: Any,
    rows: int = 1,
) -> Stage:
    """The refiner's stage: its own prompt encoding (for ``rows`` images at once), scheduler
    and the steps after the switch."""
    pipe = refiner.pipeline
    guided = is_guided(pipe, request)
    conditioning = refiner.family.encode_prompt(
        pipe,
        without_network_tags(request.prompt),
        without_network_tags(request.negative_prompt),
        device,
        guided,
        size=(request.height, request.width),
        clip_skip=request.clip_skip,
        pad=request.pad_prompt_lengths,
    ).repeated(rows)
    scheduler = make_scheduler(pipe.scheduler, request.scheduler)
    scheduler.set_timesteps(request.steps, device=device)
    border = switch_timestep(scheduler, request.refiner_switch)
    count = int((scheduler.timesteps < border).sum())
    if scheduler.order == 2 and count % 2 == 0:
        count += 1
    begin = len(scheduler.timesteps) - count
    if hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(begin)
    return Stage(
        pipeline=pipe,
        conditioning=conditioning,
        scheduler=scheduler,
        timesteps=scheduler.timesteps[begin:],
        begin_index=begin,
        guided=guided,
        timestep_cond=guidance_embedding(pipe, request, conditioning.dtype, device),
        step_kwargs=step_kwargs(scheduler, generator),
        upcast_vae=refiner.family.capabilities.upcasts_vae,
    )


def is_guided(pipe: Any, request: GenerationRequest) -> bool:
    """Whether each step runs a negative half: CFG above 1, unless the UNet takes the scale
    as an embedding instead."""
    return request.cfg_scale > 1.0 and guidance_embedding_width(pipe) is None


def guidance_embedding_width(pipe: Any) -> int | None:
    """Guidance-distilled UNets (LCM, some Turbo/Lightning) read the CFG scale from an
    embedding of this width instead of running a negative half, as diffusers runs them."""
    return pipe.unet.config.get("time_cond_proj_dim")


def guidance_embedding(
    pipe: Any, request: GenerationRequest, dtype: torch.dtype, device: torch.device
) -> torch.Tensor | None:
    width = guidance_embedding_width(pipe)
    if width is None:
        return None
    scale = torch.tensor(request.cfg_scale - 1).repeat(1)
    embedding = pipe.get_guidance_scale_embedding(scale, embedding_dim=width)
    return embedding.to(device=device, dtype=dtype)


def step_kwargs(
    scheduler: Any, generator: torch.Generator | list[torch.Generator]
) -> dict[str, Any]:
    """Ancestral schedulers draw their noise from our generator (one per row for a batch);
    DDIM gets eta=0."""
    parameters = set(inspect.signature(scheduler.step).parameters)
    kwargs: dict[str, Any] = {}
    if "eta" in parameters:
        kwargs["eta"] = 0.0
    if "generator" in parameters:
        kwargs["generator"] = generator
    return kwargs
