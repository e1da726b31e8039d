"""Pictures a learner watches during training, drawn with Pillow: loss curves and grids."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

CURVE_COLOURS = [(40, 80, 220), (220, 40, 40), (40, 170, 60), (140, 60, 190)]


def loss_plot(
    curves: dict[str, Sequence[tuple[int, float]]], title: str, size=(640, 360)
) -> Image.Image:
    """Each curve's (step, loss) points on a log scale, smoothed a little, with a legend."""
    width, height = size
    left, right, top, bottom = 60, 15, 30, 35
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.text((left, 8), title, fill="black")
    points = [(s, v) for curve in curves.values() for s, v in curve if v > 0]
    if not points:
        return image
    steps = [s for s, _ in points]
    logs = [math.log10(v) for _, v in points]
    x0, x1 = min(steps), max(max(steps), min(steps) + 1)
    y0, y1 = math.floor(min(logs)), math.ceil(max(logs))
    y1 = max(y1, y0 + 1)

    def at(step: float, log_value: float) -> tuple[float, float]:
        x = left + (step - x0) / (x1 - x0) * (width - left - right)
        y = top + (y1 - log_value) / (y1 - y0) * (height - top - bottom)
        return x, y

    draw.rectangle([left, top, width - right, height - bottom], outline="black")
    for decade in range(y0, y1 + 1):
        _, y = at(x0, decade)
        draw.line([left, y, width - right, y], fill=(220, 220, 220))
        draw.text((5, y - 6), f"1e{decade}", fill="black")
    draw.text((left, height - bottom + 5), f"step {x0}", fill="black")
    draw.text((width - right - 70, height - bottom + 5), f"step {x1}", fill="black")
    for index, (name, curve) in enumerate(curves.items()):
        colour = CURVE_COLOURS[index % len(CURVE_COLOURS)]
        smooth = _smoothed([v for _, v in curve if v > 0])
        line = [at(s, math.log10(v)) for (s, _), v in zip(curve, smooth, strict=False)]
        if len(line) > 1:
            draw.line(line, fill=colour, width=2)
        draw.text((width - right - 150, top + 5 + 14 * index), name, fill=colour)
    return image


def _smoothed(values: list[float], keep: float = 0.9) -> list[float]:
    out, running = [], None
    for value in values:
        running = value if running is None else keep * running + (1 - keep) * value
        out.append(running)
    return out


def grid(images: Sequence[Image.Image], columns: int, labels: Sequence[str] = ()) -> Image.Image:
    """Pictures in rows of ``columns``, each with its label (if any) underneath."""
    side = images[0].width
    label_height = 14 if labels else 0
    rows = math.ceil(len(images) / columns)
    sheet = Image.new("RGB", (columns * side, rows * (side + label_height)), "white")
    draw = ImageDraw.Draw(sheet)
    for index, image in enumerate(images):
        x, y = index % columns * side, index // columns * (side + label_height)
        sheet.paste(image, (x, y))
        if index < len(labels):
            draw.text((x + 2, y + side), labels[index][: side // 6], fill="black")
    return sheet
