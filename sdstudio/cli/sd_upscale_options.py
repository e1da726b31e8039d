"""``sdstudio upscale --refine``'s options: A1111's "SD upscale", img2img over the upscaled
picture's tiles with a Stable Diffusion model.

The prompt is optional (A1111's SD upscale is often run with none); a missing ``--seed``
draws a random one, printed on stderr; a missing ``--tile-size`` is the model's native size
(demo 128, SD 1.5 512, SDXL 1024), known once it loads. Refinement options without
``--refine`` are refused, so a forgotten flag never silently makes a plain upscale.
"""

from __future__ import annotations

import argparse
import random
import sys

from sdstudio.cli.model_options import DownloadProgressPrinter, add_model_arguments, load_options
from sdstudio.cli.number_arguments import finite_float
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.engine.errors import RequestError, UserFacingError
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, canonical_scheduler_name
from sdstudio.engine.sd_upscale.tile_grid import DEFAULT_OVERLAP

DEFAULT_STRENGTH = 0.3  # enough to add detail, little enough to keep the picture
DEFAULT_STEPS = 20
DEFAULT_CFG = 7.0
# The options that mean something only with --refine: args attribute → flag.
REFINE_FLAGS = {
    "refine_model": "--refine-model",
    "prompt": "--prompt",
    "negative": "--negative",
    "steps": "--steps",
    "cfg": "--cfg",
    "scheduler": "--scheduler",
    "seed": "--seed",
    "strength": "--strength",
    "overlap": "--overlap",
    "tile_size": "--tile-size",
}
TEXT_FLAGS = {"prompt": "--prompt", "negative": "--negative"}


def add_refine_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "refinement (A1111's SD upscale)",
        "with --refine, the upscaled picture is cut into overlapping tiles, each redrawn by "
        "img2img with the same prompt and settings (tile k with seed+k), and joined again",
    )
    group.add_argument("--refine", action="store_true", help="refine the upscaled picture")
    group.add_argument(
        "--refine-model",
        metavar="MODEL",
        help="the Stable Diffusion model that refines: 'demo' (default), a diffusers folder, "
        "a .safetensors checkpoint or a hub id",
    )
    group.add_argument("--prompt", help="what the picture shows (default: none)")
    group.add_argument("--negative", help="what to steer away from")
    group.add_argument("--steps", type=int, help=f"steps (default {DEFAULT_STEPS})")
    group.add_argument("--cfg", type=finite_float, help=f"CFG scale (default {DEFAULT_CFG:g})")
    group.add_argument(
        "--scheduler",
        type=canonical_scheduler_name,
        help="e.g. 'Euler a', 'DPM++ 2M' (default: the model's)",
    )
    group.add_argument("--seed", type=int, help="the first tile's seed (default: random)")
    group.add_argument(
        "--strength",
        type=finite_float,
        help=f"denoising strength of each tile, 0..1 (default {DEFAULT_STRENGTH:g})",
    )
    group.add_argument(
        "--overlap",
        type=int,
        help=f"pixels neighbouring tiles share and fade over, at most half the tile (default "
        f"{DEFAULT_OVERLAP}, A1111's, or half the tile when that is less)",
    )
    group.add_argument(
        "--tile-size",
        type=int,
        metavar="PIXELS",
        help="the tiles' side, a multiple of 8 (default: the model's native size)",
    )
    add_model_arguments(parser)


def refuse_refine_flags_without_refine(args: argparse.Namespace) -> None:
    """A refinement option given without ``--refine`` is a mistake worth a message."""
    given = [flag for name, flag in REFINE_FLAGS.items() if getattr(args, name) is not None]
    if given and not args.refine:
        raise UserFacingError(f"{', '.join(given)} refine the picture: add --refine")


def load_refine_model(args: argparse.Namespace):  # -> LoadedModel
    """The model ``--refine-model`` names (demo by default), its hash started."""
    from sdstudio.engine.metadata import start_model_hash
    from sdstudio.engine.models.loading import load_model

    spec = args.refine_model or "demo"
    progress = DownloadProgressPrinter()
    model = load_model(spec, device=args.device, options=load_options(args), progress=progress)
    start_model_hash(model.source)
    return model


def refine_request(args: argparse.Namespace, native_side: int) -> GenerationRequest:
    """The settings every tile runs with; the init image is each tile's own."""
    replace_undecodable(args, TEXT_FLAGS)
    side = args.tile_size if args.tile_size is not None else native_side
    if side <= 0 or side % 8:
        raise RequestError(f"--tile-size must be a positive multiple of 8, got {side}")
    seed = args.seed
    if seed is None:
        seed = random.randint(0, MAX_SEED)
        print(f"seed: {seed}", file=sys.stderr)
    return GenerationRequest(
        prompt=args.prompt or "",
        negative_prompt=args.negative or "",
        steps=args.steps if args.steps is not None else DEFAULT_STEPS,
        cfg_scale=args.cfg if args.cfg is not None else DEFAULT_CFG,
        scheduler=args.scheduler or MODEL_DEFAULT,
        seed=seed,
        strength=args.strength if args.strength is not None else DEFAULT_STRENGTH,
        width=side,
        height=side,
    )


def refine_overlap(args: argparse.Namespace, tile_side: int) -> int:
    """``--overlap``, else A1111's 64 or half the tile when that is less."""
    return args.overlap if args.overlap is not None else min(DEFAULT_OVERLAP, tile_side // 2)
