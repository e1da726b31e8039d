"""``sdstudio upscale IMAGE --model NAME``: one picture upscaled by a model or by Pillow, saved
as a PNG; ``sdstudio upscale --list``: the upscalers there are, with scale and architecture.
With ``--refine``, A1111's "SD upscale": the upscaled picture refined tile by tile by img2img
with a Stable Diffusion model (:mod:`.sd_upscale_options`), its PNG carrying the infotext.

Exit status 2 (through ``UserFacingError``) for a missing or unreadable picture, an unknown
upscaler, a model file that is refused, or a destination that cannot take the PNG (checked
before the work, which can take minutes on a CPU).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, PngImagePlugin

from sdstudio.cli.number_arguments import finite_float
from sdstudio.cli.sd_upscale_options import (
    add_refine_arguments,
    load_refine_model,
    refine_overlap,
    refine_request,
    refuse_refine_flags_without_refine,
)
from sdstudio.cli.terminal_text import for_terminal
from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.picture_file import load_picture
from sdstudio.engine.jobs.job import SaveOptions
from sdstudio.engine.jobs.save_destination import check_save_destination
from sdstudio.engine.memory import run_guarded
from sdstudio.engine.metadata.autosave import save_png_with_info
from sdstudio.engine.paths import upscalers_dir
from sdstudio.engine.upscalers import (
    DEFAULT_OVERLAP,
    DEFAULT_TILE,
    available_upscalers,
    native_scale,
    target_size,
    upscale,
)

PILLOW_DEFAULT_SCALE = 2.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upscale",
        help="upscale a picture with a model (ESRGAN...) or with Lanczos/Nearest",
        description="Upscale a picture with an upscaler model in "
        "SDSTUDIO_HOME/models/upscalers (any architecture spandrel knows), or with Pillow's "
        "Lanczos or Nearest, tile by tile, and save it as a PNG. With --refine, then redraw "
        "it tile by tile with a Stable Diffusion model (A1111's SD upscale).",
    )
    parser.add_argument("image", nargs="?", help="the picture to upscale")
    parser.add_argument(
        "--model",
        metavar="NAME",
        help="Lanczos, Nearest, a model's name in the upscalers folder, or a model file's path",
    )
    parser.add_argument(
        "--scale",
        type=finite_float,
        default=None,
        help="the factor (default: the model's own; 2 for Lanczos and Nearest); another than "
        "the model's is reached as A1111 does, by running it again and resizing with Lanczos",
    )
    parser.add_argument(
        "--out", metavar="FILE.png", help="where to write the PNG (default: beside the picture)"
    )
    parser.add_argument(
        "--tile",
        type=int,
        default=DEFAULT_TILE,
        help="an upscaler model's tile size in pixels, 0 for the whole picture at once "
        f"(default {DEFAULT_TILE})",
    )
    parser.add_argument(
        "--tile-overlap",
        type=int,
        default=DEFAULT_OVERLAP,
        help=f"pixels an upscaler model's tiles share and blend (default {DEFAULT_OVERLAP})",
    )
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument(
        "--list", action="store_true", help="list the upscalers with their scale and architecture"
    )
    add_refine_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        _print_list()
        return 0
    if args.image is None or args.model is None:
        raise UserFacingError("Give a picture and --model NAME (see sdstudio upscale --list)")
    refuse_refine_flags_without_refine(args)
    source = Path(args.image).expanduser()
    image = load_picture(source, UserFacingError, "a picture")
    scale = args.scale if args.scale is not None else _default_scale(args.model)
    size = target_size(image.size, scale)
    out = (
        Path(args.out).expanduser() if args.out else _beside(source, args.model, scale, args.refine)
    )
    check_save_destination(SaveOptions(file=out), *size)
    if args.refine:
        return _refine(args, image, scale, out)
    result = run_guarded(
        lambda: upscale(
            image,
            args.model,
            scale,
            device=args.device,
            tile=args.tile,
            overlap=args.tile_overlap,
            on_tile=_TileProgress("upscaling"),
        ),
        doing="upscaling",
    )
    saved = save_png_with_info(result, PngImagePlugin.PngInfo(), out)
    print(f"Saved {saved} ({result.width}x{result.height})")
    return 0


def _refine(args: argparse.Namespace, image: Image.Image, scale: float, out: Path) -> int:
    """SD upscale: the model loads, every tile is refined, then the PNG is written (nothing
    is written when it stops early: Ctrl+C between or within tiles)."""
    from sdstudio.engine.jobs.sd_upscale_run import sd_upscale, upscaler_label

    upscaler_label(args.model)  # an unknown upscaler is refused before the model loads
    model = load_refine_model(args)
    request = refine_request(args, model.default_size)
    result = run_guarded(
        lambda: sd_upscale(
            model,
            image,
            upscaler=args.model,
            scale=scale,
            request=request,
            overlap=refine_overlap(args, min(request.width, request.height)),
            on_tile=_TileProgress("refining"),
            on_upscale_tile=_TileProgress("upscaling"),
            upscaler_tile=args.tile,
            upscaler_overlap=args.tile_overlap,
        ),
        doing="SD upscale",
    )
    picture = result.image
    saved = save_png_with_info(picture, result.png_info(), out)
    print(f"Saved {saved} ({picture.width}x{picture.height})")
    return 0


def _print_list() -> None:
    """One line per upscaler: name, scale (``any`` for Pillow's) and architecture, or why a
    file cannot be used."""
    upscalers = available_upscalers()
    print(f"Upscalers (models in {upscalers_dir()}):")
    width = max(len(info.name) for info in upscalers)
    for info in upscalers:
        scale = "-" if not info.usable else f"{info.scale}x" if info.scale else "any"
        what = info.architecture if info.usable else f"cannot be used: {info.problem}"
        print(for_terminal(f"  {info.name:<{width}}  {scale:<4} {what}"))


def _default_scale(upscaler: str) -> float:
    scale = native_scale(upscaler)
    return float(scale) if scale is not None else PILLOW_DEFAULT_SCALE


def _beside(source: Path, upscaler: str, scale: float, refined: bool = False) -> Path:
    """``<stem>-<upscaler>-x<scale>[-refined].png`` beside the picture, numbered if that name
    is taken."""
    label = Path(upscaler).stem if Path(upscaler).suffix else upscaler
    stem = f"{source.stem}-{label}-x{scale:g}" + ("-refined" if refined else "")
    candidate = source.with_name(f"{stem}.png")
    number = 1
    while candidate.exists():
        number += 1
        candidate = source.with_name(f"{stem}-{number}.png")
    return candidate


class _TileProgress:
    """``upscaling: tile 3/12`` on one live line of a terminal's stderr; nothing when it is
    not one."""

    def __init__(self, doing: str) -> None:
        self._doing = doing
        self._live = sys.stderr is not None and sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self._live and total > 1:
            end = "\n" if done == total else ""
            line = f"\r{self._doing}: tile {done}/{total}"
            print(line, end=end, file=sys.stderr, flush=True)
