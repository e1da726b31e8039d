"""Whether a refiner works in its model's latent space.

The refiner finishes the model's latents as they are, so both VAEs must read latents alike:
as many channels, scaled by the same factor. Neither diffusers nor the loading checks this
(any folder can be named), so an SDXL refiner behind an SD 1.x model would run and spoil the
picture without a word. Other channels cannot run at all and are refused; another scale
runs (the user may mean it) and is said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sdstudio.engine.errors import RequestError

if TYPE_CHECKING:
    from sdstudio.engine.models.loading import LoadedModel


def refiner_latent_notice(model: LoadedModel, refiner: LoadedModel) -> str | None:
    """What to tell the user when ``refiner`` scales latents unlike ``model`` (None: alike);
    a :class:`RequestError` when its latents have another number of channels."""
    own, other = model.pipeline.vae.config, refiner.pipeline.vae.config
    if other.latent_channels != own.latent_channels:
        raise RequestError(
            f"The refiner {refiner.name} makes {other.latent_channels}-channel latents and the "
            f"model {own.latent_channels}-channel ones: choose a refiner made for this model"
        )
    if abs(other.scaling_factor - own.scaling_factor) <= 1e-6:
        return None
    return (
        f"The refiner {refiner.name} reads latents scaled by {other.scaling_factor:g}, the "
        f"model makes them scaled by {own.scaling_factor:g}: it was made for another kind of "
        "model, and its steps will spoil the picture"
    )
