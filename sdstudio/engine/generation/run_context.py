"""What a run of one UNet batch knows while it denoises: the state extensions read and may
change."""

from __future__ import annotations

from collections.abc import Sequence
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
    """The images of one UNet batch of a request, from their noise to their decoded pictures.

    The loop fills it in as it goes (conditioning, scheduler, timesteps, latents, image).
    Extensions may replace ``latents`` after a scheduler step and ``image`` after the loop;
    what they want to tell the front end they :meth:`emit`, and the loop yields it after the
    step (or before the finished image) it belongs to.

    A batch (the request's ``batch_size``) has one row of ``latents`` per image, and
    ``seeds``, ``generators`` and ``image_indices`` one entry per row. ``seed``,
    ``generator`` and ``image_index`` are the current image's, whose row is ``row``: the
    first image's at the points called once for the batch, each image's in turn at those
    called per image (``after_step``, ``after_loop``). With one image per batch they are
    simply its own, as they always were.
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
    seeds: tuple[int, ...] = ()  # one per row; () for a lone image: (seed,)
    generators: tuple[torch.Generator, ...] = ()
    image_indices: tuple[int, ...] = ()
    row: int = 0  # the current image's row in ``latents``
    _outbox: list[Any] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.seeds = self.seeds or (self.seed,)
        self.generators = self.generators or (self.generator,)
        self.image_indices = self.image_indices or (self.image_index,)

    @classmethod
    def for_batch(
        cls,
        model: LoadedModel,
        request: GenerationRequest,
        seeds: Sequence[int],
        first_index: int,
        guided: bool,
    ) -> RunContext:
        """A context for images ``first_index``, ``first_index + 1``... with ``seeds``, each
        with its own CPU generator, as diffusers seeds a batch."""
        import torch

        generators = tuple(torch.Generator("cpu").manual_seed(seed) for seed in seeds)
        indices = tuple(range(first_index, first_index + len(seeds)))
        return cls(
            model=model,
            request=request,
            seed=seeds[0],
            image_index=first_index,
            generator=generators[0],
            guided=guided,
            seeds=tuple(seeds),
            generators=generators,
            image_indices=indices,
        )

    @property
    def pipeline(self) -> Any:
        return self.model.pipeline

    @property
    def rows(self) -> int:
        """How many images the batch denoises together."""
        return len(self.seeds)

    @property
    def batch_generator(self) -> torch.Generator | list[torch.Generator]:
        """The ``generator=`` diffusers' helpers and schedulers take for the whole batch: the
        one generator of a lone image, or one per row (each row drawn from its own)."""
        return self.generator if self.rows == 1 else list(self.generators)

    def focus(self, row: int) -> None:
        """Make the image of ``row`` the current one (``seed``, ``generator``, ``image_index``)."""
        self.row = row
        self.seed = self.seeds[row]
        self.generator = self.generators[row]
        self.image_index = self.image_indices[row]

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

    ``sample`` is the scaled latent batch (when guided, the negative half's rows, then the
    prompt half's, one per image in each); ``kwargs`` start as the conditioning's
    (``encoder_hidden_states``, ``added_cond_kwargs``...). An inpainting extension
    concatenates the mask here, a ControlNet adds residuals.
    """

    sample: torch.Tensor
    timestep: torch.Tensor
    kwargs: dict[str, Any]


def batch_rows(value: Any, rows: slice, batch: int) -> Any:
    """``value`` with every tensor batched like the UNet's input (``batch`` rows) cut to
    ``rows`` (size ids, pooled embeddings, residuals), whatever dicts and lists hold them:
    what one guidance half of a :class:`UnetCall` gets when the halves run apart."""
    import torch

    if isinstance(value, torch.Tensor) and value.ndim > 0 and value.shape[0] == batch:
        return value[rows]
    if isinstance(value, dict):
        return {key: batch_rows(each, rows, batch) for key, each in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(batch_rows(each, rows, batch) for each in value)
    return value
