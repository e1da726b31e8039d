"""A unit that also says how its control image was made, so its infotext can say it too.

The ControlNet reads the finished control image only; A1111's infotext also names the resize
mode and the preprocessor's slider values ("Threshold A/B"), which a front end knows when it
prepares the image, so it hands them on here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sdstudio.engine.generation.controlnet.unit import ControlUnit


@dataclass(frozen=True)
class DescribedUnit(ControlUnit):
    """A :class:`ControlUnit` with A1111's "Resize Mode" and the values of the preprocessor's
    first and second sliders (``None`` where it has none)."""

    resize_mode: str | None = None
    threshold_a: float | None = None
    threshold_b: float | None = None
