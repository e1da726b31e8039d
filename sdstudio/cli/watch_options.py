"""``sdstudio generate --watch MODULE_PATH --watch-dir DIR``: a picture per step per module.

Files are named after the module path and the step (``unet.mid_block_step003.png``), with
``_imgN`` inside a batch; modules that run while the image is decoded (the VAE's) write
``..._final.png``. Without ``--watch`` no hook is registered.

A ControlNet unit's modules are watched as ``controlnet.<path>`` (the first ``--controlnet``),
``controlnet_1.<path>`` (the second)...; such a path without its unit is refused before the
model loads. Every other path is checked against the model when the run starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.cli.controlnet_options import DEST as CONTROLNET_UNITS
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.controlnet.watch_names import missing_unit_problem
from sdstudio.engine.probes.cfg_halves import CfgHalf
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.probes.views import ActivationView, ViewMode, ViewSettings

if TYPE_CHECKING:
    from sdstudio.engine.probes.outputs import ActivationViews


def add_watch_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("watching modules")
    group.add_argument(
        "--watch",
        action="append",
        default=[],
        metavar="MODULE_PATH",
        help="write what this module computes at each step, e.g. unet.mid_block (repeatable; "
        "paths as 'sdstudio modules' prints them); controlnet.down_blocks.0 watches the first "
        "--controlnet unit's model, controlnet_1.… the second's",
    )
    group.add_argument(
        "--watch-dir",
        default=None,
        metavar="DIR",
        help="where --watch writes (default: outputs/watch)",
    )
    group.add_argument(
        "--watch-view",
        choices=[ViewMode.CHANNELS.value, ViewMode.PCA.value],
        default=ViewMode.CHANNELS.value,
        help="feature maps as a grid of the strongest channels, or PCA mapped to RGB",
    )
    group.add_argument(
        "--watch-half",
        choices=[half.value for half in CfgHalf],
        default=CfgHalf.PROMPT.value,
        help="which half of the guidance batch to show (both: negative | prompt)",
    )


def probe_options(args: argparse.Namespace) -> ProbeOptions:
    """The modules ``--watch`` names, drawn as ``--watch-view``/``--watch-half`` say."""
    if not args.watch and args.watch_dir is not None:
        raise UserFacingError("--watch-dir needs --watch MODULE_PATH")
    unit_count = len(getattr(args, CONTROLNET_UNITS, None) or ())
    for path in args.watch:
        problem = missing_unit_problem(path, unit_count)
        if problem is not None:
            raise UserFacingError(f"--watch {problem}")
    view = ViewSettings(ViewMode(args.watch_view), CfgHalf(args.watch_half))
    return ProbeOptions(watch=tuple(args.watch), view=view)


class WatchWriter:
    """Writes each watched module's picture of each step into the watch folder."""

    def __init__(self, args: argparse.Namespace, batch_count: int) -> None:
        self._folder = _watch_dir(args.watch_dir) if args.watch else None
        self._batch_count = batch_count
        self.written = 0

    def on_views(self, views: ActivationViews) -> None:
        if self._folder is None:
            return
        for view in views.views:
            view.image.save(self._folder / view_filename(view, self._batch_count))
            self.written += 1

    def report(self) -> None:
        if self._folder is not None:
            print(f"watched modules: {self.written} PNGs in {self._folder}", file=sys.stderr)


def view_filename(view: ActivationView, batch_count: int) -> str:
    image = f"_img{view.image_index + 1}" if batch_count > 1 else ""
    when = "final" if view.final else f"step{view.step:03d}"
    return f"{view.module_path}{image}_{when}.png"


def _watch_dir(given: str | None) -> Path:
    if given is None:
        from sdstudio.engine.paths import outputs_dir

        folder = outputs_dir() / "watch"
    else:
        folder = Path(given).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserFacingError(f"Cannot create the watch folder {folder}: {error}") from error
    return folder
