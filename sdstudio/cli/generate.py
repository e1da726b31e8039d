"""``sdstudio generate``: one txt2img or img2img run from the command line, on the same engine."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from sdstudio.cli.job_in_terminal import run_in_terminal
from sdstudio.cli.model_options import (
    MODEL_HELP,
    DownloadProgressPrinter,
    add_model_arguments,
    load_options,
)
from sdstudio.cli.preview_options import CliPreviews, add_preview_arguments
from sdstudio.cli.watch_options import WatchWriter, add_watch_arguments, probe_options
from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="generate an image and print its path")
    add_generation_arguments(parser)
    parser.add_argument(
        "--output-dir", default=None, metavar="DIR", help="autosave folder (default: outputs/DATE)"
    )
    add_preview_arguments(parser)
    add_watch_arguments(parser)
    add_model_arguments(parser)
    parser.set_defaults(handler=run)


def add_generation_arguments(parser: argparse.ArgumentParser) -> None:
    """Prompt, sampling, size, model, device and --out; shared with ``sdstudio attention``."""
    parser.add_argument("--prompt", required=True, help="what to draw")
    parser.add_argument("--negative", default="", help="what to steer away from")
    parser.add_argument("--model", default="demo", help=MODEL_HELP)
    parser.add_argument("--init", default=None, metavar="IMAGE", help="init image (img2img)")
    parser.add_argument("--strength", type=float, default=0.75, help="img2img denoising 0..1")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--cfg", type=float, default=7.0, help="classifier-free guidance scale")
    parser.add_argument("--seed", type=int, default=None, help="default: a random seed")
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--height", type=int, default=512)
    parser.add_argument("--scheduler", default=MODEL_DEFAULT, help="e.g. 'Euler a', 'DPM++ 2M'")
    parser.add_argument("--batch-count", type=int, default=1, help="images, seeds seed, seed+1…")
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument("--out", default=None, metavar="FILE.png", help="where to write the PNG")


def build_request(args: argparse.Namespace) -> GenerationRequest:
    """Validate everything that can be checked before the model is loaded."""
    if args.out is not None and Path(args.out).suffix.lower() != ".png":
        raise RequestError(f"--out must name a .png file, got {args.out}")
    init_image = load_init_image(args.init) if args.init else None
    seed = args.seed if args.seed is not None else random.randint(0, MAX_SEED)
    return GenerationRequest(
        prompt=args.prompt,
        negative_prompt=args.negative,
        steps=args.steps,
        cfg_scale=args.cfg,
        seed=seed,
        width=args.width,
        height=args.height,
        scheduler=args.scheduler,
        init_image=init_image,
        strength=args.strength,
        batch_count=args.batch_count,
    )


def run(args: argparse.Namespace) -> int:
    request = build_request(args)
    previews = CliPreviews(args)
    probes = probe_options(args)
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.jobs.job import Job, SaveOptions
    from sdstudio.engine.metadata import start_model_hash
    from sdstudio.engine.models.loading import load_model
    from sdstudio.engine.previews.extension import PreviewImage
    from sdstudio.engine.probes.outputs import ActivationViews

    saving = SaveOptions(
        output_dir=Path(args.output_dir).expanduser() if args.output_dir else None,
        file=Path(args.out).expanduser() if args.out else None,
    )
    job = Job(request, previews=previews.settings, probes=probes, saving=saving)
    options, progress = load_options(args), DownloadProgressPrinter()
    model = load_model(args.model, device=args.device, options=options, progress=progress)
    start_model_hash(model.source)
    if args.seed is None:
        print(f"seed: {request.seed}", file=sys.stderr)
    watch = WatchWriter(args, request.batch_count)
    unsaved = 0

    def on_payload(payload: object) -> None:
        nonlocal unsaved
        if isinstance(payload, PreviewImage):
            previews.on_preview(payload)
        elif isinstance(payload, ActivationViews):
            watch.on_views(payload)
        elif isinstance(payload, ImageSaved):
            previews.on_image(payload)
            if payload.path is None:
                unsaved += 1
            else:
                print(payload.path)

    run_in_terminal(model, job, on_payload)
    watch.report()
    return 1 if unsaved else 0
