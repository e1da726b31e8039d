"""The settings an X/Y/Z plot can vary, by the names A1111's script gives them, and how each
value changes a request. ``"CFG=3,7,11"`` is an axis; values are comma-separated (quote a
value that holds a comma, as in A1111's script)."""

from __future__ import annotations

import csv
import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.scheduler_names import canonical_scheduler_name

MAX_VALUES = 64
LORA_TAG = re.compile(r"<lora:([^:>]+):[^:>]+((?::[^>]*)?)>")

Apply = Callable[[GenerationRequest, str, str], GenerationRequest]  # request, value, first value


def _number(kind: type, field: str) -> Apply:
    def apply(request: GenerationRequest, value: str, _first: str) -> GenerationRequest:
        try:
            number = (
                kind(float(value)) if kind is int and float(value).is_integer() else kind(value)
            )
        except ValueError:
            noun = "whole number" if kind is int else "number"
            raise RequestError(f"{value!r} is not a {noun}") from None
        return dataclasses.replace(request, **{field: number})

    return apply


def _sampler(request: GenerationRequest, value: str, _first: str) -> GenerationRequest:
    return dataclasses.replace(request, scheduler=canonical_scheduler_name(value))


def _search_replace(request: GenerationRequest, value: str, first: str) -> GenerationRequest:
    """A1111's Prompt S/R: the first value is searched for, each value replaces it."""
    if first not in request.prompt and first not in request.negative_prompt:
        raise RequestError(f"Prompt S/R: {first!r} is not in the prompt")
    return dataclasses.replace(
        request,
        prompt=request.prompt.replace(first, value),
        negative_prompt=request.negative_prompt.replace(first, value),
    )


def _lora_weight(request: GenerationRequest, value: str, _first: str) -> GenerationRequest:
    """Every ``<lora:NAME:W>`` tag of the prompt at this weight."""
    try:
        weight = float(value)
    except ValueError:
        raise RequestError(f"{value!r} is not a LoRA weight") from None
    if not math.isfinite(weight):
        raise RequestError(f"{value!r} is not a LoRA weight: it must be a finite number")
    if not LORA_TAG.search(request.prompt):
        raise RequestError("LoRA weight: the prompt has no <lora:NAME:WEIGHT> tag")
    prompt = LORA_TAG.sub(lambda m: f"<lora:{m.group(1)}:{value}{m.group(2)}>", request.prompt)
    return dataclasses.replace(request, prompt=prompt)


@dataclass(frozen=True)
class AxisKind:
    label: str  # as the grid and infotext name it (A1111's)
    apply: Apply


AXIS_KINDS: dict[str, AxisKind] = {
    "seed": AxisKind("Seed", _number(int, "seed")),
    "steps": AxisKind("Steps", _number(int, "steps")),
    "cfg": AxisKind("CFG Scale", _number(float, "cfg_scale")),
    "cfg scale": AxisKind("CFG Scale", _number(float, "cfg_scale")),
    "sampler": AxisKind("Sampler", _sampler),
    "prompt s/r": AxisKind("Prompt S/R", _search_replace),
    "strength": AxisKind("Denoising", _number(float, "strength")),
    "denoising": AxisKind("Denoising", _number(float, "strength")),
    "lora weight": AxisKind("LoRA weight", _lora_weight),
}


@dataclass(frozen=True)
class Axis:
    kind: AxisKind
    values: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.kind.label

    def labels(self) -> list[str]:
        """What the grid writes beside each row or column: "CFG Scale: 7"; a sampler or a
        Prompt S/R value stands alone ("Euler"), as A1111's script writes them."""
        if self.kind.apply in (_search_replace, _sampler):
            return list(self.values)
        return [f"{self.label}: {value}" for value in self.values]

    def apply(self, request: GenerationRequest, index: int) -> GenerationRequest:
        return self.kind.apply(request, self.values[index], self.values[0])

    @classmethod
    def parse(cls, text: str) -> Axis:
        name, equals, listed = text.partition("=")
        kind = AXIS_KINDS.get(name.strip().lower())
        if not equals or kind is None:
            names = "Seed, Steps, CFG, Sampler, Prompt S/R, Strength, LoRA weight"
            raise RequestError(f"An axis is NAME=V1,V2,… with NAME one of {names}; got {text!r}")
        try:
            values = next(csv.reader([listed], skipinitialspace=True))
        except (csv.Error, StopIteration):
            values = []
        values = [value.strip() for value in values if value.strip()]
        if not values:
            raise RequestError(f"The axis {name.strip()} has no values")
        if len(values) > MAX_VALUES:
            raise RequestError(
                f"The axis {name.strip()} has {len(values)} values; at most {MAX_VALUES}"
            )
        return cls(kind, tuple(values))
