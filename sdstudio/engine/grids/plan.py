"""An X/Y/Z plot's cells: one request per combination, all checked before anything runs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.grids.axes import Axis

MAX_CELLS = 1024
AXIS_NAMES = ("X", "Y", "Z")


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    z: int
    request: GenerationRequest


@dataclass(frozen=True)
class XyzPlan:
    """Up to three axes: X varies along a row, Y down a column, Z from grid to grid."""

    axes: tuple[Axis, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.axes) <= 3:
            raise RequestError("An X/Y/Z plot takes one to three axes")
        if self.size > MAX_CELLS:
            raise RequestError(f"The plot has {self.size} pictures; at most {MAX_CELLS} at once")

    @property
    def counts(self) -> tuple[int, int, int]:
        counts = [len(axis.values) for axis in self.axes] + [1, 1]
        return counts[0], counts[1], counts[2]

    @property
    def size(self) -> int:
        x, y, z = self.counts
        return x * y * z

    def cells(self, base: GenerationRequest) -> list[Cell]:
        """Z, then Y, then X order (as the pictures are made); a value that does not work
        is named with its axis."""
        x_count, y_count, z_count = self.counts
        cells = []
        for z, y, x in itertools.product(range(z_count), range(y_count), range(x_count)):
            request = base
            for name, axis, index in zip(AXIS_NAMES, self.axes, (x, y, z), strict=False):
                try:
                    request = axis.apply(request, index)
                except RequestError as error:
                    raise RequestError(f"{name} axis ({axis.label}): {error}") from None
            cells.append(Cell(x, y, z, request))
        return cells

    def infotext_params(self) -> dict[str, str]:
        """A1111's script fields: ``Script: X/Y/Z plot, X Type: CFG Scale, X Values: "3,7"``."""
        params = {"Script": "X/Y/Z plot"}
        for name, axis in zip(AXIS_NAMES, self.axes, strict=False):
            params[f"{name} Type"] = axis.label
            params[f"{name} Values"] = ", ".join(axis.values)  # infotext quotes it
        return params
