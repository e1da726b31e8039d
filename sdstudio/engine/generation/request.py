"""What the user asked for, as one immutable value every front end builds the same way."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.hires_target import HiresTarget, hires_target
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, SCHEDULERS
from sdstudio.engine.generation.settings import (
    MAX_SEED,
    MAX_SIDE,
    HiresSettings,
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
    HiresSettings,
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
        if self.hires_sampler not in ("", MODEL_DEFAULT, *SCHEDULERS):
            names = ", ".join([MODEL_DEFAULT, *SCHEDULERS])
            raise RequestError(
                f"Unknown hires sampler {self.hires_sampler!r}; choose one of: {names} "
                "(or none: the first pass's)"
            )
        if self.hires_fix:
            self._check_hires()

    def _check_hires(self) -> None:
        if self.init_image is not None:
            raise RequestError(
                "The hires fix is for txt2img, as in A1111: remove the init image, or turn the "
                "hires fix off (no hires upscaler)"
            )
        if self.refiner:
            raise RequestError(
                "The hires fix and a refiner cannot run together yet: remove one of them"
            )
        target = self.hires_target
        largest = max(target.upscaled_width, target.upscaled_height)
        if min(target.width, target.height) < SIDE_STEP or largest > MAX_SIDE:
            raise RequestError(
                f"The hires size {target.upscaled_width}×{target.upscaled_height} must be "
                f"between {SIDE_STEP} and {MAX_SIDE} pixels a side: change the hires scale or "
                "resize"
            )

    @property
    def is_img2img(self) -> bool:
        """The init image is used: at strength 1.0 it is ignored and the run is txt2img."""
        return self.init_image is not None and self.strength < 1.0

    @property
    def hires_fix(self) -> bool:
        """The hires fix runs: an upscaler is named (A1111's ``enable_hr``)."""
        return self.hires_upscaler != ""

    @property
    def hires_target(self) -> HiresTarget:
        """The hires pass's size (whether or not the hires fix is on)."""
        return hires_target(
            self.width, self.height, self.hires_scale, self.hires_resize_x, self.hires_resize_y
        )

    @property
    def final_size(self) -> tuple[int, int]:
        """(width, height) of the finished pictures: the hires size with the hires fix."""
        if not self.hires_fix:
            return self.width, self.height
        target = self.hires_target
        return target.width, target.height

    def largest_pass(self) -> GenerationRequest:
        """The request as its largest pass runs, for estimates made before a run (memory):
        itself, or with the hires fix a txt2img at the size the hires pass upscales to."""
        if not self.hires_fix:
            return self
        target = self.hires_target
        return replace(
            self, width=target.upscaled_width, height=target.upscaled_height, hires_upscaler=""
        )

    @property
    def first_pass_steps(self) -> int:
        """The steps at the requested size: all for txt2img, ``int(steps * strength)`` for
        img2img (diffusers' img2img skips the first ones)."""
        if not self.is_img2img:
            return self.steps
        return min(int(self.steps * self.strength), self.steps)

    @property
    def hires_pass_steps(self) -> int:
        """The hires pass's steps: ``hires_steps``, or as many as the first pass when 0 (as
        A1111); none at denoising strength 0 or without the hires fix."""
        if not self.hires_fix or self.hires_denoise == 0:
            return 0
        return self.hires_steps or self.steps

    @property
    def effective_steps(self) -> int:
        """How many denoising steps run, both passes of a hires fix together."""
        return self.first_pass_steps + self.hires_pass_steps

    @property
    def image_count(self) -> int:
        """Every image of the run: ``batch_count`` batches of ``batch_size`` (A1111's count)."""
        return self.batch_count * self.batch_size
