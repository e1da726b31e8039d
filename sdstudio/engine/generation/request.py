"""What the user asked for, as one immutable value every front end builds the same way."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, SCHEDULERS

if TYPE_CHECKING:
    from PIL import Image

MAX_SIDE = 4096
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class GenerationRequest:
    """Settings for one txt2img or img2img run; invalid settings raise :class:`RequestError`."""

    prompt: str
    negative_prompt: str = ""
    steps: int = 20
    cfg_scale: float = 7.0
    seed: int = 0
    width: int = 512
    height: int = 512
    scheduler: str = MODEL_DEFAULT
    init_image: Image.Image | None = field(default=None, compare=False, repr=False)
    strength: float = 0.75
    batch_count: int = 1

    def __post_init__(self) -> None:
        for side_name, side in (("width", self.width), ("height", self.height)):
            if side <= 0 or side % 8 != 0:
                raise RequestError(f"{side_name} must be a positive multiple of 8, got {side}")
            if side > MAX_SIDE:
                raise RequestError(f"{side_name} must be at most {MAX_SIDE}, got {side}")
        if not 0.0 <= self.strength <= 1.0:
            raise RequestError(f"strength must be between 0 and 1, got {self.strength}")
        if self.steps < 1:
            raise RequestError(f"steps must be at least 1, got {self.steps}")
        if self.batch_count < 1:
            raise RequestError(f"batch count must be at least 1, got {self.batch_count}")
        if not 0 <= self.seed <= MAX_SEED:
            raise RequestError(f"seed must be between 0 and {MAX_SEED}, got {self.seed}")
        if self.cfg_scale < 0:
            raise RequestError(f"CFG scale must not be negative, got {self.cfg_scale}")
        if self.scheduler != MODEL_DEFAULT and self.scheduler not in SCHEDULERS:
            names = ", ".join([MODEL_DEFAULT, *SCHEDULERS])
            raise RequestError(f"Unknown scheduler {self.scheduler!r}; choose one of: {names}")

    @property
    def is_img2img(self) -> bool:
        return self.init_image is not None

    def with_seed(self, seed: int) -> GenerationRequest:
        return replace(self, seed=seed % (MAX_SEED + 1))
