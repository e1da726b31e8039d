"""What the user asked for, as one immutable value every front end builds the same way."""

from __future__ import annotations

from dataclasses import dataclass

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, SCHEDULERS
from sdstudio.engine.generation.settings import (
    MAX_SEED,
    MAX_SIDE,
    InitImageSettings,
    InpaintSettings,
    PromptSettings,
    RefinerSettings,
    SamplingSettings,
    SizeSettings,
    setting_fields,
)

__all__ = ["MAX_SEED", "MAX_SIDE", "GenerationRequest"]

SIDE_STEP = 8  # the VAE works on 8×8 pixel blocks


# Dataclass fields come in reverse base order, so the sections are listed backwards: the prompt
# comes first and ``GenerationRequest("a cat", steps=2)`` reads as it always has.
@dataclass(frozen=True)
class GenerationRequest(
    RefinerSettings,
    InpaintSettings,
    InitImageSettings,
    SizeSettings,
    SamplingSettings,
    PromptSettings,
):
    """Settings for one txt2img or img2img run; invalid settings raise :class:`RequestError`.

    Every setting of :mod:`sdstudio.engine.generation.settings` is a flat attribute here.
    """

    def __post_init__(self) -> None:
        for side_name in ("width", "height"):
            side = getattr(self, side_name)
            if side <= 0 or side % SIDE_STEP != 0:
                raise RequestError(f"{side_name} must be a positive multiple of 8, got {side}")
        if self.scheduler != MODEL_DEFAULT and self.scheduler not in SCHEDULERS:
            names = ", ".join([MODEL_DEFAULT, *SCHEDULERS])
            raise RequestError(f"Unknown scheduler {self.scheduler!r}; choose one of: {names}")
        for each in setting_fields():
            problem = each.setting.problem(getattr(self, each.name))
            if problem is not None:
                raise RequestError(problem)

    @property
    def is_img2img(self) -> bool:
        """The init image is used: at strength 1.0 it is ignored and the run is txt2img."""
        return self.init_image is not None and self.strength < 1.0

    @property
    def effective_steps(self) -> int:
        """How many denoising steps run: all for txt2img, ``int(steps * strength)`` for
        img2img (diffusers' img2img skips the first ones)."""
        if not self.is_img2img:
            return self.steps
        return min(int(self.steps * self.strength), self.steps)

    @property
    def image_count(self) -> int:
        """Every image of the run: ``batch_count`` batches of ``batch_size`` (A1111's count)."""
        return self.batch_count * self.batch_size
