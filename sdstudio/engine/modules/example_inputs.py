"""Inputs shaped like a real generation, for the components the browser knows how to run.

The UNet, a ControlNet and the text encoders see batch 2 (prompt and negative prompt, for
classifier-free guidance); the VAE encodes and decodes one image. A ControlNet reads what the
UNet reads plus the control image, at as many times the latent size as its embedding's
stride-2 steps make up (8 for every released one). Values are zeros: only shapes matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sdstudio.engine.errors import UserFacingError

Inputs = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class ShapeSpec:
    """The resolution to trace at, and the batch the UNet and text encoders see."""

    width: int = 512
    height: int = 512
    batch: int = 2
    vae_scale_factor: int = 8

    def __post_init__(self) -> None:
        step = self.vae_scale_factor
        if self.width <= 0 or self.height <= 0 or self.width % step or self.height % step:
            raise UserFacingError(
                f"Shapes need a size that is a positive multiple of {step}, "
                f"got {self.width}x{self.height}"
            )

    @classmethod
    def parse(cls, text: str, **kwargs: Any) -> ShapeSpec:
        """``"512x768"`` (width x height)."""
        try:
            width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
        except ValueError:
            message = f"Give the size as WIDTHxHEIGHT, e.g. 512x512 (got {text!r})"
            raise UserFacingError(message) from None
        return cls(width, height, **kwargs)


def example_inputs(module: Any, spec: ShapeSpec) -> Inputs | None:
    """(args, kwargs) for one forward of ``module``, on its device and dtype; None if unknown."""
    import torch

    first = next(module.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None else torch.float32
    name = type(module).__name__
    config = getattr(module, "config", None)
    if config is None:
        return None

    def zeros(*shape: int, kind: Any = dtype) -> Any:
        return torch.zeros(shape, dtype=kind, device=device)

    batch = spec.batch
    latent_h, latent_w = spec.height // spec.vae_scale_factor, spec.width // spec.vae_scale_factor
    if name.startswith("ControlNetModel"):
        factor = 2 ** (len(config.conditioning_embedding_out_channels) - 1)
        image = zeros(batch, config.conditioning_channels, latent_h * factor, latent_w * factor)
        kwargs = {**_unet_kwargs(config, batch, zeros), "controlnet_cond": image}
        sample = zeros(batch, config.in_channels, latent_h, latent_w)
        return (sample, zeros(batch, kind=torch.long) + 500), kwargs
    if name.startswith("UNet2DCondition"):
        sample = zeros(batch, config.in_channels, latent_h, latent_w)
        return (sample, zeros(batch, kind=torch.long) + 500), _unet_kwargs(config, batch, zeros)
    if name.startswith("AutoencoderKL"):
        return (zeros(1, config.in_channels, spec.height, spec.width),), {}
    if name.startswith("CLIPText"):
        return (zeros(batch, config.max_position_embeddings, kind=torch.long),), {}
    return None


def _unet_kwargs(config: Any, batch: int, zeros: Callable[..., Any]) -> dict[str, Any]:
    """The prompt's embeddings (and SDXL's pooled embedding and size ids) a UNet-shaped
    model reads, for ``batch`` rows."""
    context_dim = getattr(config, "encoder_hid_dim", None) or config.cross_attention_dim
    kwargs: dict[str, Any] = {"encoder_hidden_states": zeros(batch, 77, context_dim)}
    if config.addition_embed_type == "text_time":
        time_ids = 6
        pooled = config.projection_class_embeddings_input_dim
        pooled -= time_ids * config.addition_time_embed_dim
        kwargs["added_cond_kwargs"] = {
            "text_embeds": zeros(batch, pooled),
            "time_ids": zeros(batch, time_ids),
        }
    return kwargs
