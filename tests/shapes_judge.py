"""Judging a picture of the shapes world from its pixels: what a learner would see in it.

Each attribute the prompt names is checked on its own, so accuracy can be reported per
attribute: background colour (the border's colour), object colour (the colour of the largest
blob that differs from it), position (the object's centroid) and shape (how much of its
bounding box it fills: square ≈ 1, circle ≈ 0.79, triangle ≈ 0.5).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from sdstudio.training.world import (
    COLOURS,
    GRAY,
    Position,
    Scene,
    Shape,
    position_of,
    random_scene,
)

PALETTE: dict[str, tuple[int, int, int]] = {**COLOURS, "gray": GRAY}
FILL_RATIOS = {Shape.SQUARE: 1.0, Shape.CIRCLE: np.pi / 4, Shape.TRIANGLE: 0.5}
OBJECT_DISTANCE = 60.0  # how far (RGB) from the background a pixel must be to be the object


@dataclass(frozen=True)
class Seen:
    """What the picture shows; ``None`` where it shows nothing recognisable."""

    background: str
    colour: str | None
    position: Position | None
    shape: Shape | None
    centroid: tuple[float, float] | None = None  # (x, y) in pixels


def nearest_colour(rgb: np.ndarray) -> str:
    names = list(PALETTE)
    table = np.array([PALETTE[name] for name in names], dtype=np.float32)
    return names[int(np.argmin(((table - rgb) ** 2).sum(axis=1)))]


def look(image: Image.Image) -> Seen:
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background_rgb = np.median(border, axis=0)
    background = nearest_colour(background_rgb)
    distance = np.sqrt(((pixels - background_rgb) ** 2).sum(axis=2))
    mask = _largest_blob(distance > OBJECT_DISTANCE)  # specks elsewhere are not the object
    if mask.sum() < 20:  # no object worth the name
        return Seen(background, None, None, None)
    colour = nearest_colour(np.median(pixels[mask], axis=0))
    rows, columns = np.nonzero(mask)
    centroid = (float(columns.mean()) + 0.5, float(rows.mean()) + 0.5)
    position = position_of(*centroid)
    box = (columns.max() - columns.min() + 1) * (rows.max() - rows.min() + 1)
    fill = mask.sum() / box
    shape = min(FILL_RATIOS, key=lambda each: abs(FILL_RATIOS[each] - fill))
    return Seen(background, colour, position, shape, centroid)


def _largest_blob(mask: np.ndarray) -> np.ndarray:
    labels, count = ndimage.label(mask)
    if count <= 1:
        return mask
    sizes = ndimage.sum(mask, labels, index=range(1, count + 1))
    return labels == 1 + int(np.argmax(sizes))


def judge(image: Image.Image, asked: Scene) -> dict[str, bool]:
    """Per named attribute of ``asked``: does the picture show it?"""
    seen = look(image)
    checks = {
        "background": seen.background == (asked.background or "gray"),
        "colour": seen.colour == asked.colour,
        "shape": seen.shape is asked.shape,
    }
    if asked.position is not None:
        checks["position"] = seen.position is asked.position
    return checks


def grammar_scenes(count: int, seed: int = 20261130) -> list[Scene]:
    """The faithfulness check's prompts: random grammar scenes, naming a position or a
    background only sometimes; the same every time."""
    rng = random.Random(seed)
    return [random_scene(rng) for _ in range(count)]


def accuracy_report(verdicts: list[dict[str, bool]]) -> str:
    """Per attribute and overall: "background 48/50 (96%) ... all checks 183/190 (96%)"."""
    parts = []
    for attribute in ("background", "colour", "shape", "position"):
        marks = [verdict[attribute] for verdict in verdicts if attribute in verdict]
        if marks:
            parts.append(
                f"{attribute} {sum(marks)}/{len(marks)} ({100 * sum(marks) / len(marks):.0f}%)"
            )
    every = [right for verdict in verdicts for right in verdict.values()]
    parts.append(f"all checks {sum(every)}/{len(every)} ({100 * sum(every) / len(every):.0f}%)")
    return ", ".join(parts)
