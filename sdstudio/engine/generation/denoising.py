"""Our own Stable Diffusion denoising loop, written out step by step.

tokenize -> encode prompt and negative prompt (one batch of 2 for classifier-free guidance)
-> txt2img: random latents | img2img: VAE-encode the init image and add noise at the
strength's timestep -> for each timestep: scale input, UNet, guidance, scheduler step
-> VAE decode.

Randomness is drawn from one CPU generator in the same order as diffusers'
``StableDiffusionPipeline`` and ``StableDiffusionImg2ImgPipeline``, so the same model,
scheduler, seed and settings give the same image as diffusers.

Features plug in at the named points of :mod:`sdstudio.engine.generation.extensions`
(before the loop, before each UNet call, after each scheduler step, after the loop); the
loop itself knows none of them.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

import torch
from diffusers.utils.torch_utils import randn_tensor
from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.clean_estimate import alpha_bar_at, estimate_clean_latents
from sdstudio.engine.generation.events import Cancelled, GenerationEvent, ImageFinished, StepEvent
from sdstudio.engine.generation.extensions import Extensions
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.generation.run_context import RunContext, UnetCall
from sdstudio.engine.generation.schedulers import make_scheduler
from sdstudio.engine.models.loading import LoadedModel


def generate(
    model: LoadedModel,
    request: GenerationRequest,
    cancel: CancelToken | None = None,
    extensions: Extensions = (),
) -> Iterator[GenerationEvent]:
    """Run every image of the request's batch (seeds seed, seed+1, ...), yielding events.

    Besides the loop's own events, whatever the extensions emit is yielded after the step
    it belongs to. The extensions are entered once for the batch and exited however it ends.
    """
    cancel = cancel or CancelToken()
    problem = model.family.refusal(model.pipeline, request.is_img2img)
    if problem:
        raise RequestError(problem)
    with contextlib.ExitStack() as stack:
        for extension in extensions:
            stack.enter_context(extension)
        for index in range(request.batch_count):
            seed = (request.seed + index) % (MAX_SEED + 1)
            for event in _generate_one(model, request, seed, index, cancel, extensions):
                yield event
                if isinstance(event, Cancelled):
                    return


def _generate_one(
    model: LoadedModel,
    request: GenerationRequest,
    seed: int,
    index: int,
    cancel: CancelToken,
    extensions: Extensions,
) -> Iterator[Any]:
    if request.init_image is not None and effective_steps(request) == 0:
        # Nothing to denoise: the init image comes back untouched.
        yield ImageFinished(_sized_init_image(request), seed, index, request.batch_count)
        return
    pipe = model.pipeline
    device = model.placement.device
    ctx = RunContext(
        model=model,
        request=request,
        seed=seed,
        image_index=index,
        generator=torch.Generator("cpu").manual_seed(seed),
        guided=request.cfg_scale > 1.0 and _guidance_embedding_width(pipe) is None,
    )
    with torch.inference_mode():
        ctx.conditioning = model.family.encode_prompt(
            pipe,
            request.prompt,
            request.negative_prompt,
            device,
            ctx.guided,
            size=(request.height, request.width),
        )
        scheduler = ctx.scheduler = make_scheduler(pipe.scheduler, request.scheduler)
        scheduler.set_timesteps(request.steps, device=device)
        if request.is_img2img:
            ctx.timesteps, ctx.begin_index = _img2img_timesteps(scheduler, request)
            ctx.latents = _noised_init_latents(
                pipe, request, scheduler, ctx.timesteps[:1], ctx.generator
            )
        else:
            ctx.timesteps, ctx.begin_index = scheduler.timesteps, 0
            dtype = ctx.conditioning.dtype
            noise = _initial_noise(pipe, request, dtype, device, ctx.generator)
            ctx.latents = noise * scheduler.init_noise_sigma
        timestep_cond = _guidance_embedding(pipe, request, ctx.latents)
        step_kwargs = _step_kwargs(scheduler, ctx.generator)
        prediction_type = scheduler.config.get("prediction_type", "epsilon")
        total = len(ctx.timesteps)
        for extension in extensions:
            extension.before_loop(ctx)
        yield from ctx.drain()
        for position, timestep in enumerate(ctx.timesteps):
            if cancel.cancelled:
                yield Cancelled(after_step=position)
                return
            ctx.position = position
            model_input = torch.cat([ctx.latents] * 2) if ctx.guided else ctx.latents
            model_input = scheduler.scale_model_input(model_input, timestep)
            call = UnetCall(model_input, timestep, ctx.conditioning.unet_kwargs())
            for extension in extensions:
                extension.before_unet(ctx, call)
            noise_pred = pipe.unet(
                call.sample,
                call.timestep,
                timestep_cond=timestep_cond,
                cross_attention_kwargs=None,
                return_dict=False,
                **call.kwargs,
            )[0]
            if ctx.guided:
                unconditional, conditional = noise_pred.chunk(2)
                noise_pred = unconditional + request.cfg_scale * (conditional - unconditional)
            alpha_bar = alpha_bar_at(scheduler, timestep, ctx.begin_index + position)
            clean = estimate_clean_latents(model_input[:1], noise_pred, alpha_bar, prediction_type)
            ctx.latents = scheduler.step(
                noise_pred, timestep, ctx.latents, **step_kwargs, return_dict=False
            )[0]
            is_last = position == total - 1
            step = StepEvent(
                step=position + 1,
                total=total,
                timestep=float(timestep),
                latents=ctx.latents,
                x0=ctx.latents if is_last else clean,
                image_index=index,
                batch_count=request.batch_count,
            )
            for extension in extensions:
                extension.after_step(ctx, step)
            yield step
            yield from ctx.drain()
        if cancel.cancelled:
            yield Cancelled(after_step=total)
            return
        ctx.image = decode_latents(pipe, ctx.latents, ctx.generator)
        for extension in extensions:
            extension.after_loop(ctx)
    yield from ctx.drain()
    yield ImageFinished(ctx.image, seed, index, request.batch_count)


def effective_steps(request: GenerationRequest) -> int:
    """How many denoising steps run: all for txt2img, ``int(steps * strength)`` for img2img."""
    if not request.is_img2img:
        return request.steps
    return min(int(request.steps * request.strength), request.steps)


def decode_latents(pipe: Any, latents: torch.Tensor, generator: torch.Generator) -> Image.Image:
    """Latents to a PIL image through the full VAE decoder."""
    scaled = latents / pipe.vae.config.scaling_factor
    pixels = pipe.vae.decode(scaled.to(pipe.vae.dtype), return_dict=False, generator=generator)[0]
    return pipe.image_processor.postprocess(pixels, output_type="pil", do_denormalize=[True])[0]


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
    generator: torch.Generator,
) -> torch.Tensor:
    factor = pipe.vae_scale_factor
    shape = (1, pipe.unet.config.in_channels, request.height // factor, request.width // factor)
    return randn_tensor(shape, generator=generator, device=device, dtype=dtype)


def _img2img_timesteps(scheduler: Any, request: GenerationRequest) -> tuple[torch.Tensor, int]:
    """Skip the first steps the strength leaves out, as diffusers' img2img pipeline does."""
    start = (request.steps - effective_steps(request)) * scheduler.order
    if hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(start)
    return scheduler.timesteps[start:], start


def _noised_init_latents(
    pipe: Any,
    request: GenerationRequest,
    scheduler: Any,
    first_timestep: torch.Tensor,
    generator: torch.Generator,
) -> torch.Tensor:
    device = pipe._execution_device  # the GPU, even while CPU offload parks the UNet in RAM
    dtype = pipe.unet.dtype
    pixels = pipe.image_processor.preprocess(_sized_init_image(request))
    pixels = pixels.to(device=device, dtype=pipe.vae.dtype)
    encoded = pipe.vae.encode(pixels).latent_dist.sample(generator)
    init_latents = (pipe.vae.config.scaling_factor * encoded).to(dtype)
    noise = randn_tensor(init_latents.shape, generator=generator, device=device, dtype=dtype)
    return scheduler.add_noise(init_latents, noise, first_timestep.repeat(1))


def _guidance_embedding_width(pipe: Any) -> int | None:
    """Guidance-distilled UNets (LCM, some Turbo/Lightning) read the CFG scale from an
    embedding of this width instead of running a negative half, as diffusers runs them."""
    return pipe.unet.config.get("time_cond_proj_dim")


def _guidance_embedding(
    pipe: Any, request: GenerationRequest, latents: torch.Tensor
) -> torch.Tensor | None:
    width = _guidance_embedding_width(pipe)
    if width is None:
        return None
    scale = torch.tensor(request.cfg_scale - 1).repeat(1)
    embedding = pipe.get_guidance_scale_embedding(scale, embedding_dim=width)
    return embedding.to(device=latents.device, dtype=latents.dtype)


def _step_kwargs(scheduler: Any, generator: torch.Generator) -> dict[str, Any]:
    """Ancestral schedulers draw their noise from our generator; DDIM gets eta=0."""
    parameters = set(inspect.signature(scheduler.step).parameters)
    kwargs: dict[str, Any] = {}
    if "eta" in parameters:
        kwargs["eta"] = 0.0
    if "generator" in parameters:
        kwargs["generator"] = generator
    return kwargs
