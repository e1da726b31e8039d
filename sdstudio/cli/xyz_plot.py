"""``sdstudio generate --xyz``: an X/Y/Z plot, one picture per combination of up to three
settings' values (each saved as usual), then the labelled grid with A1111's script fields."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sdstudio.cli.network_options import with_networks
from sdstudio.cli.preview_options import CliPreviews
from sdstudio.cli.run_jobs import load_for_cli, run_one
from sdstudio.cli.settings_arguments import at_native_size, build_request
from sdstudio.cli.watch_options import probe_options
from sdstudio.engine.errors import RequestError


def run_xyz(args: argparse.Namespace) -> int:
    """One picture per cell of the plot (each saved as usual), then the labelled grid."""
    from sdstudio.engine.grids.axes import Axis
    from sdstudio.engine.grids.plan import XyzPlan

    if args.prompts_file:
        raise RequestError("--xyz and --prompts-file cannot be used together")
    plan = XyzPlan(tuple(Axis.parse(text) for text in args.xyz))
    base, networks = with_networks(build_request(args), args)
    cells = plan.cells(base)  # every value is checked before the model loads
    grid_file = Path(args.out).expanduser() if args.out else None
    cell_args = argparse.Namespace(**{**vars(args), "out": None})  # the grid takes --out
    previews, probes = CliPreviews(args), probe_options(args)
    model = load_for_cli(args)
    pictures: dict[tuple[int, int, int], object] = {}
    first_saved = None
    for cell in cells:
        request = at_native_size(cell.request, args, model.default_size)
        (saved, *_) = run_one(
            model, cell_args, replace(request, batch_count=1), networks, previews, probes
        )
        pictures[(cell.z, cell.y, cell.x)] = saved.image
        first_saved = first_saved or saved
    path = _save_grid(plan, pictures, first_saved, grid_file)
    print(path)
    return 0


def _save_grid(plan, pictures, first_saved, grid_file: Path | None) -> Path:
    from sdstudio.engine.grids.grid_image import grid_image
    from sdstudio.engine.metadata.infotext import format_infotext, parse_infotext

    x_count, y_count, z_count = plan.counts
    labels = [axis.labels() for axis in plan.axes] + [[""], [""]]
    grid = grid_image(
        [
            [[pictures[(z, y, x)] for x in range(x_count)] for y in range(y_count)]
            for z in range(z_count)
        ],
        labels[0],
        labels[1] if len(plan.axes) > 1 else [""] * y_count,
        labels[2] if len(plan.axes) > 2 else [""] * z_count,
    )
    record = first_saved.record
    infotext = parse_infotext(record.infotext())
    params = {**infotext.params, **plan.infotext_params()}
    text = format_infotext(infotext.prompt, infotext.negative_prompt, params)
    if grid_file is None:
        folder = first_saved.path.parent if first_saved.path else Path.cwd()
        stem = first_saved.path.stem if first_saved.path else "xyz"
        grid_file = folder / f"{stem}-grid.png"
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", text)
    grid_file.parent.mkdir(parents=True, exist_ok=True)
    grid.save(grid_file, pnginfo=info)
    return grid_file
