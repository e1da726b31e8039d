"""A preprocessor's parameter: its name, default and range, and the check of a value given for it.

A command line and a window build their controls from these; ``preprocess`` checks every value
against them, so a threshold typed or restored out of range is refused with a sentence, not an
OpenCV assertion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from sdstudio.engine.errors import RequestError


@dataclass(frozen=True)
class Parameter:
    """One knob of a preprocessor, as A1111's ControlNet extension offers it.

    ``slider`` is the A1111 slider that carries the value (1 or 2), which its infotext writes
    as "Threshold A" or "Threshold B"; ``None`` for a parameter A1111 has no slider for.
    """

    name: str  # the keyword argument of ``preprocess`` and of the function
    label: str  # A1111's label for the slider
    default: float
    minimum: float
    maximum: float
    step: float = 1.0
    integer: bool = False
    slider: int | None = None

    def checked(self, value: object, owner: str) -> int | float:
        """``value`` as this parameter's type, or a ``RequestError`` naming ``owner`` (the
        preprocessor) and the range."""
        where = f"The {owner} preprocessor's {self.label}"
        if isinstance(value, bool) or not isinstance(value, Real):
            raise RequestError(f"{where} must be a number, not {value!r}.")
        number = float(value)
        if math.isnan(number):
            raise RequestError(f"{where} must be a number, not NaN.")
        if self.integer and not number.is_integer():
            raise RequestError(f"{where} must be a whole number, not {value}.")
        if not self.minimum <= number <= self.maximum:
            raise RequestError(
                f"{where} must be between {_shown(self.minimum)} and {_shown(self.maximum)}, "
                f"not {_shown(number)}."
            )
        return int(number) if self.integer else number


def _shown(number: float) -> str:
    """100.0 as "100", 0.01 as "0.01": ranges read as they do on a slider."""
    return str(int(number)) if float(number).is_integer() else str(number)
