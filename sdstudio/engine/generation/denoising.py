"""Our own Stable Diffusion denoising loop, written out step by step.

tokenize -> encode prompt and negative prompt (one batch of 2 for classifier-free guidance)
-> txt2img: random latents | img2img: VAE-encode the init image and add noise at the
strength's timestep -> for each timestep: scale input, UNet, guidance, scheduler step
[-> hires fix: upscale, noise again, the hires pass's steps] -> VAE decode.

Randomness is drawn from one CPU generator in the same order as diffusers'
``StableDiffusionPipeline`` and ``StableDiffusionImg2ImgPipeline``, so the same model,
scheduler, seed and settings give the same image as diffusers.

A batch (``batch_size`` images in one UNet call per step) works as diffusers' pipelines do
with a list of generators: each image has its own generator and every row is drawn from it
alone, the conditioning is repeated per image (``[negative × N, prompt × N]``), and each
image is decoded by itself, so every picture of a batch is the one its seed gives alone.

Features plug in at the named points of :mod:`sdstudio.engine.generation.extensions`
(before the loop, before each UNet call, after each scheduler step, after the loop); the
loop itself knows none of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from diffusers.guiders.guider_utils import rescale_noise_cfg
from diffusers.utils.torch_utils import randn_tensor
from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.clean_estimate import alpha_bar_at, estimate_clean_latents
from sdstudio.engine.generation.events import Cancelled, GenerationEvent, ImageFinished, StepEvent
from sdstudio.engine.generation.extensions import Extensions
from sdstudio.engine.generation.hires.stage import hires_stage
from sdstudio.engine.generation.inpainting.extension import inpainting_for
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.generation.run_context import RunContext, UnetCall, batch_rows
from sdstudio.engine.generation.schedulers import make_scheduler
from sdstudio.engine.generation.stages import (
    Stage,
    guidance_embedding,
    is_guided,
    refiner_stage,
    step_kwargs,
    steps_before_switch,
)
from sdstudio.engine.generation.vae_precision import decode_latents, encode_latents
from sdstudio.engine.generation.vae_tiling import tiles_automatically, tiling_notice
from sdstudio.engine.models.loading import LoadedModel
from sdstudio.engine.prompts.network_tags import without_network_tags


def generate(
    model: LoadedModel,
    request: GenerationRequest,
    cancel: CancelToken | None = None,
    extensions: Extensions = (),
    refiner: LoadedModel | None = None,
) -> Iterator[GenerationEvent]:
    """Run every image of the request (seeds seed, seed+1, ...), yielding events: the
    ``batch_count`` batches one after another, the ``batch_size`` images of each together.

    With a ``refiner``, the model denoises until ``request.refiner_switch`` and the refiner
    finishes from the same latents (:mod:`sdstudio.engine.generation.stages`). With the hires
    fix, a second stage denoises the upscaled latents at the hires size
    (:mod:`sdstudio.engine.generation.hires`); step events count both passes as one run. A
    run whose pictures are large enough to be decoded in tiles automatically says so first
    (:mod:`sdstudio.engine.generation.vae_tiling`).

    Besides the loop's own events, whatever the extensions emit is yielded after the step
    it belongs to. The extensions are entered once for the run and exited however it ends.
    """
    cancel = cancel or CancelToken()
    problem = model.family.refusal(model.pipeline, request.is_img2img)
    if problem:
        raise RequestError(problem)
    inpainting = inpainting_for(model, request, refiner)
    if inpainting is not None and request.hires_fix:
        raise RequestError(
            "The hires fix does not run on inpainting models yet: load an ordinary model, or "
            "turn the hires fix off"
        )
    if inpainting is not None:  # first, so later extensions see its latents and picture
        extensions = (inpainting, *extensions)
    with contextlib.ExitStack() as stack:
        for extension in extensions:
            stack.enter_context(extension)
        decoder = (refiner or model).pipeline.vae
        if tiles_automatically(decoder, *request.final_size):
            yield tiling_notice(*request.final_size)
        for first in range(0, request.image_count, request.batch_size):
            seeds = [
                (request.seed + index) % (MAX_SEED + 1)
                for index in range(first, first + request.batch_size)
            ]
            events = _generate_batch(model, request, seeds, first, cancel, extensions, refiner)
            for event in events:
                yield event
                if isinstance(event, Cancelled):
                    return


def _generate_batch(
    model: LoadedModel,
    request: GenerationRequest,
    seeds: list[int],
    first: int,
    cancel: CancelToken,
    extensions: Extensions,
    refiner: LoadedModel | None,
) -> Iterator[Any]:
    """The images ``first``, ``first + 1``... with ``seeds``, denoised in one UNet batch."""
    if request.init_image is not None and request.first_pass_steps == 0:
        # Nothing to denoise: the init image comes back untouched.
        for index, seed in enumerate(seeds, start=first):
            yield ImageFinished(_sized_init_image(request), seed, index, request.image_count)
        return
    pipe = model.pipeline
    device = model.placement.device
    ctx = RunContext.for_batch(model, request, seeds, first, is_guided(pipe, request))
    with torch.inference_mode():
        ctx.conditioning = model.family.encode_prompt(
            pipe,
            without_network_tags(request.prompt),
            without_network_tags(request.negative_prompt),
            device,
            ctx.guided,
            size=(request.height, request.width),
            clip_skip=request.clip_skip,
            pad=request.pad_prompt_lengths,
        ).repeated(ctx.rows)
        scheduler = ctx.scheduler = make_scheduler(pipe.scheduler, request.scheduler)
        scheduler.set_timesteps(request.steps, device=device)
        if request.is_img2img:
            ctx.timesteps, ctx.begin_index = _img2img_timesteps(scheduler, request)
        else:
            ctx.timesteps, ctx.begin_index = scheduler.timesteps, 0
        for extension in extensions:
            extension.before_latents(ctx)  # may make the first latents itself (inpainting)
        if ctx.latents is None and request.is_img2img:
            ctx.latents = _noised_init_latents(
                pipe,
                request,
                scheduler,
                ctx.timesteps[:1],
                ctx.batch_generator,
                model.family.capabilities.upcasts_vae,
            )
        elif ctx.latents is None:
            dtype = ctx.conditioning.dtype
            noise = _initial_noise(pipe, request, dtype, device, ctx.batch_generator)
            ctx.latents = noise * scheduler.init_noise_sigma
        stages = [
            Stage(
                pipeline=pipe,
                conditioning=ctx.conditioning,
                scheduler=scheduler,
                timesteps=ctx.timesteps,
                begin_index=ctx.begin_index,
                guided=ctx.guided,
                timestep_cond=guidance_embedding(pipe, request, ctx.latents.dtype, device),
                step_kwargs=step_kwargs(scheduler, ctx.batch_generator),
                upcast_vae=model.family.capabilities.upcasts_vae,
            )
        ]
        if refiner is not None:
            base = stages[0]
            base.timesteps = ctx.timesteps = steps_before_switch(
                scheduler, base.timesteps, request.refiner_switch
            )
            stages.append(refiner_stage(refiner, request, device, ctx.batch_generator, ctx.rows))
        if request.hires_fix:
            stages.append(hires_stage(model, request, device, ctx.seeds, cancel))
        total = sum(len(stage.timesteps) for stage in stages)
        for extension in extensions:
            extension.before_loop(ctx)
        yield from ctx.drain()
        position = 0
        for stage in stages:
            if cancel.cancelled:
                yield Cancelled(after_step=position)
                return
            ctx.conditioning, ctx.scheduler, ctx.guided = (
                stage.conditioning,
                stage.scheduler,
                stage.guided,
            )
            ctx.position = position
            if stage.enter is not None:
                stage.enter(ctx)
            if stage is not stages[0]:
                for extension in extensions:
                    extension.before_stage(ctx, stage)
            yield from ctx.drain()
            for in_stage, timestep in enumerate(stage.timesteps):
                if cancel.cancelled:
                    yield Cancelled(after_step=position)
                    return
                ctx.position = position
                yield from _step(ctx, stage, timestep, in_stage, total, extensions)
                position += 1
        if cancel.cancelled:
            yield Cancelled(after_step=total)
            return
        finished = [_finished_image(ctx, row, stages[-1], extensions) for row in range(ctx.rows)]
    for events, image in finished:
        yield from events
        yield image


def _finished_image(
    ctx: RunContext, row: int, last: Stage, extensions: Extensions
) -> tuple[list[Any], ImageFinished]:
    """Row ``row`` decoded by itself (as alone), through the extensions' ``after_loop``;
    with what they emitted, to be yielded before it."""
    ctx.focus(row)
    latents = ctx.latents[row : row + 1]
    ctx.image = decode_latents(last.pipeline, latents, ctx.generator, last.upcast_vae)
    for extension in extensions:
        extension.after_loop(ctx)
    image = ImageFinished(ctx.image, ctx.seed, ctx.image_index, ctx.request.image_count)
    return ctx.drain(), image


def _step(
    ctx: RunContext,
    stage: Stage,
    timestep: torch.Tensor,
    in_stage: int,
    total: int,
    extensions: Extensions,
) -> Iterator[Any]:
    """One denoising step of the whole batch: scale the input, the UNet (both guidance
    halves at once), guidance, the scheduler's step; then each image's step event, with
    the extensions' ``after_step`` for that image."""
    request, scheduler = ctx.request, stage.scheduler
    rows = ctx.latents.shape[0]
    model_input = torch.cat([ctx.latents] * 2) if stage.guided else ctx.latents
    model_input = scheduler.scale_model_input(model_input, timestep)
    call = UnetCall(model_input, timestep, stage.conditioning.unet_kwargs())
    ctx.focus(0)
    for extension in extensions:
        extension.before_unet(ctx, call)
    noise_pred = _run_unet(stage, call)
    if stage.guided:
        unconditional, conditional = noise_pred.chunk(2)
        noise_pred = unconditional + request.cfg_scale * (conditional - unconditional)
        if request.guidance_rescale > 0:
            noise_pred = rescale_noise_cfg(noise_pred, conditional, request.guidance_rescale)
    alpha_bar = alpha_bar_at(scheduler, timestep, stage.begin_index + in_stage)
    clean = estimate_clean_latents(model_input[:rows], noise_pred, alpha_bar, stage.prediction_type)
    latents = ctx.latents = scheduler.step(
        noise_pred, timestep, ctx.latents, **stage.step_kwargs, return_dict=False
    )[0]
    x0 = latents if ctx.position == total - 1 else clean
    steps = [
        StepEvent(
            step=ctx.position + 1,
            total=total,
            timestep=float(timestep),
            latents=latents[row : row + 1],
            x0=x0[row : row + 1],
            image_index=ctx.image_indices[row],
            batch_count=request.image_count,
            row=row,
        )
        for row in range(rows)
    ]
    for row, step in enumerate(steps):
        ctx.focus(row)
        for extension in extensions:
            extension.after_step(ctx, step)
        yield step
        yield from ctx.drain()
    ctx.focus(0)


def _run_unet(stage: Stage, call: UnetCall) -> torch.Tensor:
    """The UNet on the whole batch; or, when the prompt and the negative have different
    lengths, on each guidance half (all its images) with its own embeddings (A1111's
    default)."""
    states = call.kwargs["encoder_hidden_states"]
    if not isinstance(states, tuple):
        return _unet(stage, call.sample, call.timestep, call.kwargs)
    batch = call.sample.shape[0]
    rows = batch // len(states)
    halves = []
    for index, half_states in enumerate(states):
        half = slice(index * rows, (index + 1) * rows)
        kwargs = {**batch_rows(call.kwargs, half, batch), "encoder_hidden_states": half_states}
        halves.append(_unet(stage, call.sample[half], call.timestep, kwargs))
    return torch.cat(halves)


def _unet(stage: Stage, sample: torch.Tensor, timestep: Any, kwargs: dict) -> torch.Tensor:
    return stage.pipeline.unet(
        sample,
        timestep,
        timestep_cond=stage.timestep_cond,
        cross_attention_kwargs=None,
        return_dict=False,
        **kwargs,
    )[0]


def _sized_init_image(request: GenerationRequest) -> Image.Image:
    assert request.init_image is not None
    image = request.init_image.convert("RGB")
    if image.size != (request.width, request.height):
        image = image.resize((request.width, request.height), Image.Resampling.LANCZOS)
    return image


def _initial_noise(
    pipe: Any,
    request: GenerationRequest,
    dtype: torch.dtype,
    device: torch.device,
    generator: torch.Generator | list[torch.Generator],
) -> torch.Tensor:
    """One row per generator (a lone generator: one row), each drawn from its own."""
    rows = len(generator) if isinstance(generator, list) else 1
    factor = pipe.vae_scale_factor
    channels = pipe.unet.config.in_channels
    shape = (rows, channels, request.height // factor, request.width // factor)
    return randn_tensor(shape, generator=generator, device=device, dtype=dtype)


def _img2img_timesteps(scheduler: Any, request: GenerationRequest) -> tuple[torch.Tensor, int]:
    """Skip the first steps the strength leaves out, as diffusers' img2img pipeline does."""
    start = (request.steps - request.first_pass_steps) * scheduler.order
    if hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(start)
    return scheduler.timesteps[start:], start


def _noised_init_latents(
    pipe: Any,
    request: GenerationRequest,
    scheduler: Any,
    first_timestep: torch.Tensor,
    generator: torch.Generator | list[torch.Generator],
    upcast: bool = False,
) -> torch.Tensor:
    """The init image's latents (one row per generator) noised to the first timestep."""
    device = pipe._execution_device  # the GPU, even while CPU offload parks the UNet in RAM
    dtype = pipe.unet.dtype
    pixels = pipe.image_processor.preprocess(_sized_init_image(request)).to(device=device)
    init_latents = encode_latents(pipe, pixels, generator, dtype, upcast)
    noise = randn_tensor(init_latents.shape, generator=generator, device=device, dtype=dtype)
    rows = init_latents.shape[0]
    return scheduler.add_noise(init_latents, noise, first_timestep.repeat(rows))
