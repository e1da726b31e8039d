"""A 9-channel inpainting model built in code from a loaded model (the demo, the tiny SDXL).

Its UNet is the demo's with ``conv_in`` widened to 9 input channels (the demo's 4 latent
channels keep their weights; the mask and masked-picture channels get small seeded random
ones), so it draws shapes and reads the mask, as a real inpainting model does.
"""

from __future__ import annotations

import numpy as np
import torch

INPAINT_SEED = 20261201


def widened_unet(unet, channels: int = 9):
    """A copy of ``unet`` that takes ``channels`` input channels."""
    from diffusers import UNet2DConditionModel

    config = dict(unet.config)
    config["in_channels"] = channels
    wide = UNet2DConditionModel.from_config(config)
    state = unet.state_dict()
    weight = state["conv_in.weight"]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(INPAINT_SEED)
        extra = torch.randn(weight.shape[0], channels - weight.shape[1], *weight.shape[2:]) * 0.02
    state["conv_in.weight"] = torch.cat([weight, extra], dim=1)
    wide.load_state_dict(state)
    return wide.eval()


def inpainting_model_from(model):
    """A LoadedModel like ``model`` whose UNet is a 9-channel inpainting UNet."""
    from sdstudio.engine.models.loading import LoadedModel

    components = dict(model.pipeline.components)
    components["unet"] = widened_unet(model.pipeline.unet)
    pipeline = model.family.assemble(**components)
    return LoadedModel(pipeline, "demo-inpainting", "", model.placement, model.family)


def diffusers_inpainting(pipeline_class, model, request, scheduler: str = "Default", **extra):
    """The picture ``pipeline_class`` (diffusers' SD or SDXL inpaint pipeline) makes from the
    same components, scheduler, seed and settings as ``request``."""
    from sdstudio.engine.generation.schedulers import make_scheduler

    components = dict(model.pipeline.components)
    components["scheduler"] = make_scheduler(model.pipeline.scheduler, scheduler)
    components.pop("image_encoder", None)
    pipeline = pipeline_class(**components)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline(
        request.prompt,
        negative_prompt=request.negative_prompt,
        image=request.init_image,
        mask_image=request.mask,
        strength=request.strength,
        num_inference_steps=request.steps,
        guidance_scale=request.cfg_scale,
        width=request.width,
        height=request.height,
        generator=torch.Generator("cpu").manual_seed(request.seed),
        **extra,
    ).images[0]


def max_difference_inside(first, second, mask) -> int:
    """The largest per-pixel difference (0..255) where ``mask`` is at least half white."""
    from tests.helpers import pixels

    inside = np.asarray(mask) >= 128
    return int(np.abs(pixels(first).astype(int) - pixels(second).astype(int))[inside].max())
