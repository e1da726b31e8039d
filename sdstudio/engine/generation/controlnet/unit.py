"""One ControlNet unit of a request: which model, which control image, how strongly, when."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.controlnet.modes import CONTROL_MODES, ControlMode

if TYPE_CHECKING:
    from PIL import Image

MAX_WEIGHT = 2.0  # A1111's "Control Weight" slider


@dataclass(frozen=True)
class ControlUnit:
    """A ControlNet, its control image and A1111's unit settings.

    ``model`` is a file or folder path, or a name in ``SDSTUDIO_HOME/models/controlnet``
    (:func:`~sdstudio.engine.generation.controlnet.library.find_controlnet`). ``image`` is
    the control image as the ControlNet reads it (edges, depth...), a picture or its file:
    preprocessing happens before the unit is made, and ``preprocessor`` only names what made
    it. ``weight`` is diffusers' ``controlnet_conditioning_scale``; ``start`` and ``end``
    are diffusers' ``control_guidance_start``/``end`` (A1111's "Starting/Ending Control
    Step"), fractions of the run's steps; ``mode`` is one of :data:`CONTROL_MODES`
    (:mod:`~sdstudio.engine.generation.controlnet.modes`).
    """

    model: str
    image: Image.Image | Path | str = field(compare=False, repr=False)
    weight: float = 1.0
    start: float = 0.0
    end: float = 1.0
    mode: str = ControlMode.BALANCED.value
    preprocessor: str = "none"

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem is not None:
            raise RequestError(problem)

    def problem(self) -> str | None:
        """Why these settings cannot run, in words; None when they can."""
        if not self.model.strip():
            return "A ControlNet unit needs a model."
        for name, value in (("weight", self.weight), ("start", self.start), ("end", self.end)):
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                return f"The ControlNet {name} must be a finite number, got {value!r}."
        if not 0.0 <= self.weight <= MAX_WEIGHT:
            return f"The ControlNet weight must be between 0 and {MAX_WEIGHT:g}, got {self.weight}."
        if not 0.0 <= self.start < self.end <= 1.0:
            return (
                "The ControlNet must start before it ends, both between 0 and 1 (fractions of "
                f"the steps), got start {self.start} and end {self.end}."
            )
        if self.mode not in CONTROL_MODES:
            return f"The control mode must be one of {', '.join(CONTROL_MODES)}, got {self.mode!r}."
        return None

    @property
    def control_mode(self) -> ControlMode:
        return ControlMode(self.mode)

    def keeps(self, step: int, steps: int) -> bool:
        """Whether the ControlNet acts at 0-based ``step`` of ``steps``: diffusers'
        ``controlnet_keep``, true when the step lies wholly within [start, end]."""
        return not (step / steps < self.start or (step + 1) / steps > self.end)
