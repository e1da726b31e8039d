"""Numbers read from the command line: ``float()`` also takes ``nan`` and ``inf``, which no
setting can use (a NaN CFG scale is written into the image's metadata, an infinite one makes
a black picture), so every float option is read with :func:`finite_float`."""

from __future__ import annotations

import argparse
import math


def finite_float(text: str) -> float:
    """An argparse ``type``: the number in ``text``, refused unless it is finite."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return number
