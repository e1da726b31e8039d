"""The hires pass as a stage of the loop: its prompt, scheduler and steps at the hires size,
and, on entering, the first pass's latents upscaled and noised as our img2img noises an
init image (same seed, fresh generators)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch
from diffusers.utils.torch_utils import randn_tensor
from PIL import Image

from sdstudio.engine.generation.hires.upscaling import (
    is_latent_upscaler,
    upscale_latents,
    upscale_picture,
)
from sdstudio.engine.generation.hires_target import LATENT_FACTOR, HiresTarget
from sdstudio.engine.generation.schedulers import make_scheduler
from sdstudio.engine.generation.stages import (
    Stage,
    guidance_embedding,
    is_guided,
    step_kwargs,
)
from sdstudio.engine.generation.vae_precision import decode_latents, encode_latents
from sdstudio.engine.prompts.network_tags import without_network_tags

if TYPE_CHECKING:
    from sdstudio.engine.cancel import CancelToken
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.generation.run_context import RunContext
    from sdstudio.engine.models.loading import LoadedModel

MAX_STRENGTH = 0.999  # A1111 never divides by a strength of 1


def schedule_length(steps: int, denoise: float, train_steps: int) -> int:
    """How long a schedule the hires pass's ``steps`` end, as A1111's img2img step rule:
    ``int(steps / min(denoise, 0.999))`` (at most the model's training steps)."""
    return min(max(int(steps / min(denoise, MAX_STRENGTH)), steps), train_steps)


def hires_timesteps(
    scheduler: Any, steps: int, denoise: float, device: torch.device
) -> tuple[torch.Tensor, int]:
    """The hires pass's timesteps and where they begin in the scheduler's list: the last
    ``steps`` of a :func:`schedule_length` schedule (as our img2img skips the first ones);
    none for 0 steps (denoising strength 0)."""
    if steps == 0:
        scheduler.set_timesteps(1, device=device)
        begin = len(scheduler.timesteps)
    else:
        length = schedule_length(steps, denoise, scheduler.config.num_train_timesteps)
        scheduler.set_timesteps(length, device=device)
        begin = (length - min(steps, length)) * scheduler.order
    if hasattr(scheduler, "set_begin_index"):
        scheduler.set_begin_index(begin)
    return scheduler.timesteps[begin:], begin


def hires_stage(
    model: LoadedModel,
    request: GenerationRequest,
    device: torch.device,
    seeds: Sequence[int],
    cancel: CancelToken | None = None,
) -> Stage:
    """The hires pass of the images with ``seeds``: the hires prompt encoded at the hires
    size, the hires scheduler, and its last ``request.hires_pass_steps`` steps."""
    pipe = model.pipeline
    target = request.hires_target
    guided = is_guided(pipe, request)
    conditioning = model.family.encode_prompt(
        pipe,
        without_network_tags(request.hires_prompt or request.prompt),
        without_network_tags(request.hires_negative_prompt or request.negative_prompt),
        device,
        guided,
        size=(target.height, target.width),
        clip_skip=request.clip_skip,
        pad=request.pad_prompt_lengths,
    ).repeated(len(seeds))
    scheduler = make_scheduler(pipe.scheduler, request.hires_sampler or request.scheduler)
    timesteps, begin = hires_timesteps(
        scheduler, request.hires_pass_steps, request.hires_denoise, device
    )
    generators = tuple(torch.Generator("cpu").manual_seed(seed) for seed in seeds)
    batch_generator = generators[0] if len(generators) == 1 else list(generators)
    upcast = model.family.capabilities.upcasts_vae

    def enter(ctx: RunContext) -> None:
        """The first pass's latents upscaled (and for a picture upscaler decoded, resized and
        encoded again), cropped, and noised to the first hires timestep; from here on the
        images draw from their hires generators."""
        ctx.generators = generators
        ctx.focus(ctx.row)
        name, width, height = request.hires_upscaler, target.upscaled_width, target.upscaled_height
        if is_latent_upscaler(name):
            upscaled = upscale_latents(ctx.latents, name, width, height)
        else:
            pictures = [
                upscale_picture(picture, name, width, height, cancel)
                for picture in _decoded(pipe, ctx.latents, upcast)
            ]
            upscaled = _encoded(pipe, pictures, generators, upcast)
        latents = _cropped(upscaled, target)
        if len(timesteps) == 0:  # denoising strength 0: the upscale as it is
            ctx.latents = latents
            return
        noise = randn_tensor(
            latents.shape, generator=batch_generator, device=latents.device, dtype=latents.dtype
        )
        ctx.latents = scheduler.add_noise(latents, noise, timesteps[:1].repeat(latents.shape[0]))

    return Stage(
        pipeline=pipe,
        conditioning=conditioning,
        scheduler=scheduler,
        timesteps=timesteps,
        begin_index=begin,
        guided=guided,
        timestep_cond=guidance_embedding(pipe, request, conditioning.dtype, device),
        step_kwargs=step_kwargs(scheduler, batch_generator),
        upcast_vae=upcast,
        enter=enter,
    )


def _decoded(pipe: Any, latents: torch.Tensor, upcast: bool) -> list[Image.Image]:
    """Each row as the picture the first pass would have finished with."""
    generator = torch.Generator("cpu")  # the SD VAE's decoder draws nothing
    return [
        decode_latents(pipe, latents[row : row + 1], generator, upcast)
        for row in range(latents.shape[0])
    ]


def _encoded(
    pipe: Any,
    pictures: Sequence[Image.Image],
    generators: Sequence[torch.Generator],
    upcast: bool,
) -> torch.Tensor:
    """Each picture encoded with its image's hires generator: its first draw, as our
    img2img's encode of an init image is."""
    device = pipe._execution_device  # the GPU, even while CPU offload parks the UNet in RAM
    rows = []
    for picture, generator in zip(pictures, generators, strict=True):
        pixels = pipe.image_processor.preprocess(picture).to(device=device)
        rows.append(encode_latents(pipe, pixels, generator, pipe.unet.dtype, upcast))
    return torch.cat(rows)


def _cropped(latents: torch.Tensor, target: HiresTarget) -> torch.Tensor:
    """The latents of the hires size, centred in the upscale (A1111's crop of a resize to
    both sides)."""
    top, left = target.crop_top, target.crop_left
    rows, columns = target.height // LATENT_FACTOR, target.width // LATENT_FACTOR
    return latents[:, :, top : top + rows, left : left + columns]
