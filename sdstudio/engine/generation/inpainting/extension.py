"""Inpainting as a loop extension, with diffusers' inpaint pipelines' semantics.

Per image, in diffusers' order of random draws (so the same seed gives the same picture):
the init latents (ordinary models, or any model below strength 1), the noise, then the
masked picture's latents; a batch draws each row from its own image's generator, so every
row is what its seed gives alone, and all rows share the mask. A 9-channel inpainting UNet
reads the mask and those latents beside its input at every step; an ordinary model has its
kept part put back after every scheduler step (the init latents noised to the next
timestep, clean after the last). The decoded picture is composited over the init image
through the blurred mask, so nothing outside it changes.

With a refiner (SDXL's ensemble of experts), the refiner's steps repaint as diffusers' inpaint
pipeline does when it is given the base's latents as its picture (``denoising_start``): the
kept part is put back after each of the refiner's steps from the latents the base handed
over, noised with noise drawn when the refiner takes over, whatever the base's UNet was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from diffusers.image_processor import VaeImageProcessor
from diffusers.utils.torch_utils import randn_tensor

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.extensions import GenerationExtension
from sdstudio.engine.generation.inpainting.inputs import InpaintInputs, inpaint_inputs
from sdstudio.engine.generation.inpainting.latent_blend import LatentBlend
from sdstudio.engine.generation.inpainting.masked_content import replaced_latents
from sdstudio.engine.generation.vae_precision import encode_latents

if TYPE_CHECKING:
    from sdstudio.engine.generation.events import StepEvent
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.generation.run_context import RunContext, UnetCall
    from sdstudio.engine.generation.stages import Stage
    from sdstudio.engine.models.loading import LoadedModel

INPAINTING_UNET_CHANNELS = 9  # 4 latents + 1 mask + 4 masked-picture latents


def is_inpainting_model(pipeline: Any) -> bool:
    return pipeline.unet.config.in_channels == INPAINTING_UNET_CHANNELS


def inpainting_for(
    model: LoadedModel, request: GenerationRequest, refiner: LoadedModel | None = None
) -> InpaintExtension | None:
    """The extension a request needs: with a mask, or on an inpainting model (which then
    repaints everything, as A1111 runs them for txt2img); None otherwise."""
    inpainting_model = is_inpainting_model(model.pipeline)
    if request.mask is None and not inpainting_model:
        return None
    if refiner is not None and is_inpainting_model(refiner.pipeline):
        raise RequestError(
            "An inpainting model cannot be the refiner: choose an ordinary SDXL refiner (its "
            "steps repaint the masked part from the main model's latents)."
        )
    inputs = inpaint_inputs(request, ordinary_model=not inpainting_model)
    return InpaintExtension(inputs, nine_channels=inpainting_model)


class InpaintExtension(GenerationExtension):
    """Makes the first latents itself, conditions (``nine_channels``: an inpainting UNet) or
    blends every step, composites the end."""

    def __init__(self, inputs: InpaintInputs, nine_channels: bool) -> None:
        self.inputs = inputs
        self.nine_channels = nine_channels
        self._mask: torch.Tensor | None = None  # latent-sized, 1 where repainted
        self._masked_latents: torch.Tensor | None = None
        self._image_latents: torch.Tensor | None = None
        self._noise: torch.Tensor | None = None
        self._conditioned = False  # the current stage's UNet reads the mask (9 channels)
        self._blend: LatentBlend | None = None  # the current stage's, for an ordinary UNet

    def before_latents(self, ctx: RunContext) -> None:
        pipe, request, generator = ctx.pipeline, ctx.request, ctx.batch_generator
        device = pipe._execution_device
        dtype = ctx.conditioning.dtype
        inputs = self.inputs
        height, width = request.height, request.width
        picture = pipe.image_processor.preprocess(
            inputs.source,
            height=height,
            width=width,
            crops_coords=inputs.crop,
            resize_mode=inputs.resize_mode,
        ).to(dtype=torch.float32)
        mask = _mask_processor(pipe).preprocess(
            inputs.mask,
            height=height,
            width=width,
            resize_mode=inputs.resize_mode,
            crops_coords=inputs.crop,
        )
        upcast = ctx.model.family.capabilities.upcasts_vae
        strength_max = not request.is_img2img
        ordinary = not self.nine_channels
        scheduler = ctx.scheduler
        if strength_max and hasattr(scheduler, "set_begin_index"):
            scheduler.set_begin_index(0)  # as diffusers' get_timesteps does at strength 1
        if ordinary or not strength_max:
            self._image_latents = encode_latents(
                pipe, picture.to(device, dtype), generator, dtype, upcast
            )
        factor = pipe.vae_scale_factor
        shape = (ctx.rows, pipe.vae.config.latent_channels, height // factor, width // factor)
        self._noise = randn_tensor(shape, generator=generator, device=device, dtype=dtype)
        masked_picture = (picture * (mask < 0.5)).to(device, dtype)
        self._masked_latents = encode_latents(pipe, masked_picture, generator, dtype, upcast)
        self._mask = torch.nn.functional.interpolate(
            mask, size=(height // factor, width // factor)
        ).to(device=device, dtype=dtype)
        self._conditioned, self._blend = self.nine_channels, None
        if strength_max:
            ctx.latents = self._noise * scheduler.init_noise_sigma
            return
        start = self._image_latents
        if ordinary:
            start = replaced_latents(start, self._mask, request.masked_content, generator)
        ctx.latents = scheduler.add_noise(start, self._noise, ctx.timesteps[:1].repeat(ctx.rows))

    def before_loop(self, ctx: RunContext) -> None:
        """The model's own steps (a refiner's come after them) blend on an ordinary UNet."""
        if not self.nine_channels:
            self._blend = LatentBlend(self._image_latents, self._noise, ctx.timesteps, 0)

    def before_stage(self, ctx: RunContext, stage: Stage) -> None:
        """The refiner takes over: it blends from the latents it was handed, with new noise
        (diffusers' order: drawn before its first step)."""
        latents = ctx.latents
        noise = randn_tensor(
            latents.shape, generator=ctx.batch_generator, device=latents.device, dtype=latents.dtype
        )
        self._mask = self._mask.to(dtype=latents.dtype)
        self._conditioned = False
        self._blend = LatentBlend(latents.clone(), noise, stage.timesteps, ctx.position)

    def before_unet(self, ctx: RunContext, call: UnetCall) -> None:
        if not self._conditioned:
            return
        rows = call.sample.shape[0]
        halves = rows // ctx.rows  # the masked latents' rows, once per guidance half
        mask = self._mask.repeat(rows, 1, 1, 1)
        masked = self._masked_latents.repeat(halves, 1, 1, 1)
        call.sample = torch.cat([call.sample, mask, masked], dim=1)

    def after_step(self, ctx: RunContext, step: StepEvent) -> None:
        """Puts the kept part back into the current image's row (called once per image)."""
        if self._blend is None:
            return
        row = slice(ctx.row, ctx.row + 1)
        kept = self._blend.kept_after(ctx)
        blended = (1 - self._mask) * kept + self._mask * ctx.latents[row]
        if ctx.rows == 1:
            ctx.latents = blended
        else:  # a new tensor: the step events hold views of the old one
            ctx.latents = torch.cat([ctx.latents[: ctx.row], blended, ctx.latents[ctx.row + 1 :]])

    def after_loop(self, ctx: RunContext) -> None:
        inputs = self.inputs
        if inputs.composite_onto is None or inputs.composite_mask is None:
            return
        ctx.image = _mask_processor(ctx.pipeline).apply_overlay(
            inputs.composite_mask, inputs.composite_onto, ctx.image, inputs.crop
        )


def _mask_processor(pipe: Any) -> VaeImageProcessor:
    """The processor diffusers' inpaint pipelines make for masks: gray, 0..1, binarized."""
    return VaeImageProcessor(
        vae_scale_factor=pipe.vae_scale_factor,
        do_normalize=False,
        do_binarize=True,
        do_convert_grayscale=True,
    )
