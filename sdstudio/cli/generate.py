"""``sdstudio generate``: one txt2img or img2img run from the command line, on the same engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sdstudio.cli.model_options import (
    DownloadProgressPrinter,
    add_model_arguments,
    load_options,
)
from sdstudio.cli.preview_options import CliPreviews, add_preview_arguments
from sdstudio.cli.settings_arguments import add_generation_arguments, build_request
from sdstudio.cli.watch_options import add_watch_arguments, watched_events
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.metadata import (
    GenerationRecord,
    model_hash_if_ready,
    record_for,
    save_generation,
    save_png_to,
    start_model_hash,
)


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


def run(args: argparse.Namespace) -> int:
    request = build_request(args)
    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.memory import run_guarded
    from sdstudio.engine.models.loading import load_model

    previews = CliPreviews(args)
    options, progress = load_options(args), DownloadProgressPrinter()
    model = load_model(args.model, device=args.device, options=options, progress=progress)
    previews.start(model)
    start_model_hash(model.source)
    if args.seed is None:
        print(f"seed: {request.seed}", file=sys.stderr)

    def run_all() -> None:
        for event in watched_events(model, request, args, generate(model, request)):
            if isinstance(event, StepEvent):
                previews.on_step(event)
            if isinstance(event, StepEvent) and sys.stderr.isatty():
                print(f"\rstep {event.step}/{event.total}", end="", file=sys.stderr, flush=True)
            elif isinstance(event, ImageFinished):
                record = record_for(request, model, event.seed, model_hash_if_ready(model.source))
                print(_save(event, record, args))

    run_guarded(run_all, "generation")  # out of memory -> a suggestion, not a traceback
    return 0


def _save(event: ImageFinished, record: GenerationRecord, args: argparse.Namespace) -> Path:
    """Autosave with metadata, or write the file the user named (numbered within a batch)."""
    if args.out is None:
        return save_generation(event.image, record, args.output_dir)
    path = Path(args.out).expanduser()
    if event.batch_count > 1:
        path = path.with_name(f"{path.stem}-{event.image_index + 1}{path.suffix}")
    return save_png_to(event.image, record, path)
