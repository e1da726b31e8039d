"""``sdstudio generate --watch MODULE_PATH --watch-dir DIR``: a picture per step per module.

Files are named after the module path and the step (``unet.mid_block_step003.png``), with
``_imgN`` inside a batch; modules that run while the image is decoded (the VAE's) write
``..._final.png``. Without ``--watch`` no hook is registered.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.probes.cfg_halves import CfgHalf
from sdstudio.engine.probes.views import ActivationView, ViewMode, ViewSettings

if TYPE_CHECKING:
    from sdstudio.engine.generation.events import GenerationEvent
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import LoadedModel


def add_watch_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("watching modules")
    group.add_argument(
        "--watch",
        action="append",
        default=[],
        metavar="MODULE_PATH",
        help="write what this module computes at each step, e.g. unet.mid_block (repeatable; "
        "paths as 'sdstudio modules' prints them)",
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


def watched_events(
    model: LoadedModel,
    request: GenerationRequest,
    args: argparse.Namespace,
    events: Iterator[GenerationEvent],
) -> Iterator[GenerationEvent]:
    """``events`` passed through; with ``--watch``, pictures are written after each one."""
    if not args.watch:
        if args.watch_dir is not None:
            raise UserFacingError("--watch-dir needs --watch MODULE_PATH")
        yield from events
        return
    from sdstudio.engine.probes import ModuleWatcher

    folder = _watch_dir(args.watch_dir)
    settings = ViewSettings(ViewMode(args.watch_view), CfgHalf(args.watch_half))
    written = 0
    with ModuleWatcher(model.pipeline, args.watch, request, settings) as watcher:
        for event in events:
            yield event
            # After the consumer's own work for this step, so a VAE preview shows this step.
            for view in watcher.collect(event):
                view.image.save(folder / view_filename(view, request.batch_count))
                written += 1
    print(f"watched modules: {written} PNGs in {folder}", file=sys.stderr)


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
