"""What one module saw in a forward pass: the shapes of its inputs and outputs, named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

Shape = tuple[int, ...]
NamedShapes = tuple[tuple[str, Shape], ...]


@dataclass(frozen=True)
class ShapeRecord:
    """Input and output shapes of one module, from its first call in the pass."""

    inputs: NamedShapes
    outputs: NamedShapes
    calls: int = 1

    def input_shape(self, name: str) -> Shape | None:
        return next((shape for label, shape in self.inputs if label == name), None)


def format_shape(shape: Shape, sep: str = "×") -> str:
    """``(2, 320, 64, 64)`` as ``2×320×64×64``; a scalar as ``scalar``."""
    return sep.join(str(size) for size in shape) if shape else "scalar"


def format_named_shapes(shapes: NamedShapes, sep: str = "×") -> str:
    """One shape alone is shown bare; several are labelled (``sample: 1×4×8×8, …``)."""
    if len(shapes) == 1:
        return format_shape(shapes[0][1], sep)
    return ", ".join(
        f"{label}: {format_shape(shape, sep)}" if label else format_shape(shape, sep)
        for label, shape in shapes
    )


def named_shapes(value: Any, label: str = "", depth: int = 0) -> list[tuple[str, Shape]]:
    """The tensors inside a module's input or output (tensor, tuple, dict, ModelOutput)."""
    import torch

    if isinstance(value, torch.Tensor):
        return [(label, tuple(value.shape))]
    if depth >= 2 or value is None:
        return []
    if isinstance(value, Mapping):
        items = list(value.items())
    elif is_dataclass(value) and not isinstance(value, type):
        items = [(field.name, getattr(value, field.name)) for field in fields(value)]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        items = [
            (f"{label}[{index}]" if label else str(index), item) for index, item in enumerate(value)
        ]
    else:
        return []
    found: list[tuple[str, Shape]] = []
    for key, item in items:
        found.extend(named_shapes(item, str(key), depth + 1))
    return found
