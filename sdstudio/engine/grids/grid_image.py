"""The plot's pictures laid out as A1111 draws them: X labels above the columns, Y labels
left of the rows, one grid per Z value side by side under its Z label."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

BACKGROUND = (255, 255, 255)
INK = (0, 0, 0)
GAP = 8  # between the grids of a Z axis


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has one bitmap size
        return ImageFont.load_default()


def _text_size(draw: ImageDraw.ImageDraw, text: str, font) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return right - left, bottom - top


def grid_image(
    pictures: list[list[list[Image.Image]]],
    x_labels: list[str],
    y_labels: list[str],
    z_labels: list[str],
) -> Image.Image:
    """``pictures[z][y][x]`` (all one size) as one labelled image."""
    cell_w, cell_h = pictures[0][0][0].size
    font = _font(max(12, cell_h // 10))
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    line_h = _text_size(probe, "Ag", font)[1] + 8
    left = max((_text_size(probe, text, font)[0] for text in y_labels if text), default=0)
    left = left + 16 if any(y_labels) else 0
    top = line_h if any(x_labels) else 0
    z_top = line_h if any(z_labels) else 0
    columns, rows = len(pictures[0][0]), len(pictures[0])
    one_w = left + columns * cell_w
    one_h = z_top + top + rows * cell_h
    grids = len(pictures)
    canvas = Image.new("RGB", (grids * one_w + (grids - 1) * GAP, one_h), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for z, grid in enumerate(pictures):
        origin = z * (one_w + GAP)
        if z_labels[z]:
            width = _text_size(draw, z_labels[z], font)[0]
            draw.text((origin + (one_w - width) // 2, 2), z_labels[z], fill=INK, font=font)
        for x, label in enumerate(x_labels):
            width = _text_size(draw, label, font)[0]
            position = (origin + left + x * cell_w + (cell_w - width) // 2, z_top + 2)
            draw.text(position, label, fill=INK, font=font)
        for y, row in enumerate(grid):
            if y_labels[y]:
                height = _text_size(draw, y_labels[y], font)[1]
                top_y = z_top + top + y * cell_h + (cell_h - height) // 2
                draw.text((origin + 4, top_y), y_labels[y], fill=INK, font=font)
            for x, picture in enumerate(row):
                canvas.paste(
                    picture.convert("RGB"), (origin + left + x * cell_w, z_top + top + y * cell_h)
                )
    return canvas
