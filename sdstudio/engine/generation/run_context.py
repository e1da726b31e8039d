"""What one image's run knows while it denoises: the state extensions read and may change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.families.conditioning import Conditioning
    from sdstudio.engine.models.loading import LoadedModel


@dataclass
class RunContext:
    """One image of a request, from its noise to its decoded picture.

    The loop fills it in as it goes (conditioning, scheduler, timesteps, latents, image).
    Extensions may replace ``latents`` after a scheduler step and ``image`` after the loop;
    what they want to tell the front end they :meth:`emit`, and the loop yields it after the
    step (or before the finished image) it belongs to.
    """

    model: LoadedModel
    request: GenerationRequest
    seed: int
    image_index: int
    generator: torch.Generator
    guided: bool
    conditioning: Conditioning | None = None
    scheduler: Any = None
    timesteps: Any = None
    begin_index: int = 0  # where ``timesteps`` start in the scheduler's full list (img2img)
    latents: Any = None
    position: int = 0  # 0-based index of the current step in ``timesteps``
    image: Image.Image | None = None
    _outbox: list[Any] = field(default_factory=list, init=False, repr=False)

    @property
    def pipeline(self) -> Any:
        return self.model.pipeline

    def emit(self, event: Any) -> None:
        """Queue ``event`` to be yielded to the front end with the loop's own events."""
        self._outbox.append(event)

    def drain(self) -> list[Any]:
        """The queued events, oldest first; the queue is empty afterwards."""
        events, self._outbox = self._outbox, []
        return events


@dataclass
class UnetCall:
    """The UNet's input for one step, which extensions may change before the call.

    ``sample`` is the scaled latent batch (both guidance halves when guided); ``kwargs``
    start as the conditioning's (``encoder_hidden_states``, ``added_cond_kwargs``...).
    An inpainting extension concatenates the mask here, a ControlNet adds residuals.
    """

    sample: torch.Tensor
    timestep: torch.Tensor
    kwargs: dict[str, Any]
