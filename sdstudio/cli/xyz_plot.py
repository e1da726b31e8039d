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
        one = replace(request, batch_count=1, batch_size=1)  # a cell is one picture
        (saved, *_) = run_one(model, cell_args, one, networks, previews, probes)
        pictures[(cell.z, cell.y, cell.x)] = saved.image
        first_saved = first_saved or saved
    path = _save_grid(plan, pictures, first_saved, grid_file)
    print(path)
    return 0


def _save_grid(plan, pictures, first_saved, grid_file: Path | None) -> Path:
    from sdstudio.engine.grids.grid_file import grid_path_beside, save_grid

    path = grid_file or grid_path_beside(first_saved.path)
    return save_grid(plan, pictures, first_saved.record.infotext(), path)
