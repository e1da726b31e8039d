"""``sdstudio generate``: one txt2img or img2img run from the command line, on the same engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sdstudio.cli.job_in_terminal import run_in_terminal
from sdstudio.cli.model_options import (
    DownloadProgressPrinter,
    add_model_arguments,
    load_options,
)
from sdstudio.cli.network_options import add_network_arguments, long_prompt_notes, with_networks
from sdstudio.cli.outpaint_options import add_outpaint_arguments, with_outpainting
from sdstudio.cli.preview_options import CliPreviews, add_preview_arguments
from sdstudio.cli.settings_arguments import (
    add_generation_arguments,
    at_native_size,
    build_request,
)
from sdstudio.cli.watch_options import WatchWriter, add_watch_arguments, probe_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="generate an image and print its path")
    add_generation_arguments(parser)
    parser.add_argument(
        "--output-dir", default=None, metavar="DIR", help="autosave folder (default: outputs/DATE)"
    )
    add_outpaint_arguments(parser)
    add_preview_arguments(parser)
    add_watch_arguments(parser)
    add_network_arguments(parser)
    add_model_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    request, networks = with_networks(build_request(args), args)
    previews = CliPreviews(args)
    probes = probe_options(args)
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.jobs.job import Job, SaveOptions
    from sdstudio.engine.metadata import start_model_hash
    from sdstudio.engine.models.loading import load_model
    from sdstudio.engine.previews.extension import PreviewImage
    from sdstudio.engine.probes.outputs import ActivationViews
    from sdstudio.engine.prompts.token_count import PromptCounter

    saving = SaveOptions(
        output_dir=Path(args.output_dir).expanduser() if args.output_dir else None,
        file=Path(args.out).expanduser() if args.out else None,
    )
    options, progress = load_options(args), DownloadProgressPrinter()
    model = load_model(args.model, device=args.device, options=options, progress=progress)
    request = with_outpainting(at_native_size(request, args, model.default_size), args)
    job = Job(request, previews=previews.settings, probes=probes, saving=saving, networks=networks)
    for note in long_prompt_notes(PromptCounter.for_pipeline(model.pipeline), request):
        print(f"sdstudio: {note}", file=sys.stderr)
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
