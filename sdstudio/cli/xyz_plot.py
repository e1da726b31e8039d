"""``sdstudio generate --xyz``: an X/Y/Z plot, one picture per combination of up to three
settings' values (each saved as usual), then the labelled grid with A1111's script fields."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from sdstudio.cli.controlnet_options import control_units, prepared_controls
from sdstudio.cli.network_options import with_networks
from sdstudio.cli.preview_options import CliPreviews
from sdstudio.cli.run_jobs import check_destinations, load_for_cli, run_one, save_options
from sdstudio.cli.settings_arguments import at_native_size, build_request
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.cli.watch_options import probe_options
from sdstudio.engine.errors import RequestError, UserFacingError


def run_xyz(args: argparse.Namespace) -> int:
    """One picture per cell of the plot (each saved as usual), then the labelled grid."""
    from sdstudio.engine.grids.axes import Axis
    from sdstudio.engine.grids.plan import XyzPlan

    if args.prompts_file:
        raise RequestError("--xyz and --prompts-file cannot be used together")
    replace_undecodable(args, {"xyz": "--xyz"})  # Prompt S/R values become prompts
    plan = XyzPlan(tuple(Axis.parse(text) for text in args.xyz))
    base, networks = with_networks(build_request(args), args)
    cells = plan.cells(base)  # every value is checked before the model loads
    grid_file = Path(args.out).expanduser() if args.out else None
    cell_args = argparse.Namespace(**{**vars(args), "out": None})  # the grid takes --out
    savings = dict.fromkeys([save_options(cell_args), save_options(args)])
    check_destinations(savings, base.width, base.height)
    controls = prepared_controls(args)  # checked and preprocessed once, before the model
    previews, probes = CliPreviews(args), probe_options(args)
    model = load_for_cli(args)
    pictures: dict[tuple[int, int, int], object] = {}
    first_saved = None
    not_where_asked = 0
    for cell in cells:
        request = at_native_size(cell.request, args, model.default_size)
        one = replace(request, batch_count=1, batch_size=1)  # a cell is one picture
        units = control_units(controls, one.width, one.height)  # each cell at its own size
        outcome = run_one(model, cell_args, one, networks, previews, probes, units)
        (saved, *_) = outcome.saved
        not_where_asked += outcome.not_where_asked
        pictures[(cell.z, cell.y, cell.x)] = saved.image
        first_saved = first_saved or saved
    path, where_asked = _save_grid(plan, pictures, first_saved, grid_file)
    print(path)
    return 1 if not_where_asked or not where_asked else 0


def _save_grid(plan, pictures, first_saved, grid_file: Path | None) -> tuple[Path, bool]:
    """Where the grid went, and whether that is where it was asked to go: a disk that filled
    meanwhile sends it to the fallback folder, with a note on stderr."""
    from sdstudio.engine.grids.grid_file import grid_path_beside, save_grid
    from sdstudio.engine.paths import unsaved_dir

    path = grid_file or grid_path_beside(first_saved.path)
    infotext = first_saved.record.infotext()
    try:
        return save_grid(plan, pictures, infotext, path), True
    except OSError as error:
        problem = f"Could not save the grid ({error})"
    try:
        kept = save_grid(plan, pictures, infotext, unsaved_dir() / path.name)
    except OSError as error:
        raise UserFacingError(f"{problem}, nor keep it in sdstudio's folder ({error})") from None
    print(f"sdstudio: {problem}; it was kept as {kept}", file=sys.stderr)
    return kept, False
