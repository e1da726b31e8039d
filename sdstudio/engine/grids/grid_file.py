"""Saving an X/Y/Z plot's grid: the labelled picture with the first cell's infotext plus
A1111's script fields, written whole (never half) beside the cells or where the user said.
The CLI and the window both save grids through here."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sdstudio.engine.grids.grid_image import grid_image
from sdstudio.engine.grids.plan import XyzPlan
from sdstudio.engine.metadata.autosave import save_png_with_info
from sdstudio.engine.metadata.infotext import format_infotext, parse_infotext
from sdstudio.engine.metadata.png_chunks import parameters_info

Pictures = dict[tuple[int, int, int], Image.Image]  # (z, y, x) -> the cell's picture


def grid_path_beside(first_cell: Path | None) -> Path:
    """``<first cell's name>-grid.png`` in its folder (the working folder if unsaved)."""
    if first_cell is None:
        return Path.cwd() / "xyz-grid.png"
    return first_cell.parent / f"{first_cell.stem}-grid.png"


def save_grid(plan: XyzPlan, pictures: Pictures, first_infotext: str, path: Path) -> Path:
    """Compose ``pictures`` (one per cell) with the axes' labels and save it to ``path``."""
    x_count, y_count, z_count = plan.counts
    # An axis not given has one value and no label.
    x_labels, y_labels, z_labels = [axis.labels() for axis in plan.axes] + [[""]] * (
        3 - len(plan.axes)
    )
    grid = grid_image(
        [
            [[pictures[(z, y, x)] for x in range(x_count)] for y in range(y_count)]
            for z in range(z_count)
        ],
        x_labels,
        y_labels,
        z_labels,
    )
    infotext = parse_infotext(first_infotext)
    params = {**infotext.params, **plan.infotext_params()}
    text = format_infotext(infotext.prompt, infotext.negative_prompt, params)
    return save_png_with_info(grid, parameters_info(text), path)
