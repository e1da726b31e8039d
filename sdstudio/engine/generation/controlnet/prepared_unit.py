"""A unit as a front end's controls give it: preprocess its picture once, size it per run.

The ControlNet reads a finished control map at the run's size (:class:`ControlUnit`); a
window or a command line holds the user's picture and the choices that turn it into one
(the preprocessor and its sliders, the resize mode). The map is made once, since it does not
depend on the run, and resized for each run's width and height, as A1111 does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sdstudio.engine.controlnet_preprocessors import (
    AnnotatorWeights,
    ResizeMode,
    find_preprocessor,
    preprocess,
    resize_control_image,
)
from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit
from sdstudio.engine.generation.controlnet.modes import ControlMode

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class UnitChoice:
    """Everything about a unit but its picture: A1111's unit settings, the preprocessor's
    parameter values by name (``parameters``; the others take their defaults) and the resize
    mode's name (:class:`ResizeMode`'s value)."""

    model: str = ""
    preprocessor: str = "none"
    parameters: tuple[tuple[str, float], ...] = ()
    weight: float = 1.0
    start: float = 0.0
    end: float = 1.0
    mode: str = ControlMode.BALANCED.value
    resize: str = ResizeMode.CROP_AND_RESIZE.value

    def control_map(
        self, picture: Image.Image, annotators: AnnotatorWeights | None = None
    ) -> Image.Image:
        """``picture`` as the ControlNet reads it (a ``RequestError`` for bad parameters, a
        preprocessor sdstudio cannot run or missing weights). A depth, normal or pose
        preprocessor reads its model from the folder ``annotators`` names (None: the default
        folders). Slow on large pictures, and loads a model the first time: call it off the
        GUI."""
        return preprocess(
            self.preprocessor, picture, annotators=annotators, **dict(self.parameters)
        )

    def thresholds(self) -> tuple[float | None, float | None]:
        """The values of A1111's first and second sliders ("Threshold A/B" in infotext)."""
        preprocessor = find_preprocessor(self.preprocessor)
        values = preprocessor.checked_parameters(dict(self.parameters))
        sliders = {each.slider: values[each.name] for each in preprocessor.parameters}
        return sliders.get(1), sliders.get(2)

    def unit(self, control_map: Image.Image, width: int, height: int) -> DescribedUnit:
        """The unit for a run of ``width`` × ``height``, its map resized by the resize mode
        (a ``RequestError`` when a setting cannot run: no model, start not before end…)."""
        first, second = self.thresholds()
        unit = DescribedUnit(  # checked before the resize, which takes a while on big maps
            model=self.model,
            image=control_map,
            weight=self.weight,
            start=self.start,
            end=self.end,
            mode=self.mode,
            preprocessor=find_preprocessor(self.preprocessor).name,
            resize_mode=ResizeMode.from_name(self.resize).value,
            threshold_a=first,
            threshold_b=second,
        )
        return replace(unit, image=resize_control_image(control_map, width, height, self.resize))
