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
from sdstudio.engine.errors import RequestError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="generate an image and print its path")
    add_generation_arguments(parser)
    parser.add_argument(
        "--output-dir", default=None, metavar="DIR", help="autosave folder (default: outputs/DATE)"
    )
    parser.add_argument(
        "--prompts-file",
        default=None,
        metavar="FILE",
        help='one job per line: a prompt, or options for that job only (--prompt "a cat" '
        "--steps 30 --seed 5); the other settings come from this command line",
    )
    add_outpaint_arguments(parser)
    add_preview_arguments(parser)
    add_watch_arguments(parser)
    add_network_arguments(parser)
    add_model_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    jobs = _jobs_arguments(args)
    requests = [with_networks(build_request(each), each) for each in jobs]
    previews = CliPreviews(args)
    probes = probe_options(args)
    from sdstudio.engine.metadata import start_model_hash
    from sdstudio.engine.models.loading import load_model

    options, progress = load_options(args), DownloadProgressPrinter()
    model = load_model(args.model, device=args.device, options=options, progress=progress)
    start_model_hash(model.source)
    unsaved = 0
    for each, (request, networks) in zip(jobs, requests, strict=True):
        request = with_outpainting(at_native_size(request, each, model.default_size), each)
        unsaved += _run_one(model, each, request, networks, previews, probes)
    return 1 if unsaved else 0


def _jobs_arguments(args: argparse.Namespace) -> list[argparse.Namespace]:
    """The one job of the command line, or one per line of ``--prompts-file``."""
    if not args.prompts_file:
        return [args]
    from sdstudio.cli.prompts_file import jobs_arguments

    jobs = jobs_arguments(args, args.prompts_file)
    if args.out is not None and len(jobs) > 1:
        raise RequestError(
            f"--out names one file, but {args.prompts_file} has {len(jobs)} prompts: "
            "use --output-dir (or the default autosave folder)"
        )
    return jobs


def _run_one(model, args, request, networks, previews, probes) -> int:
    """Run one job, printing each saved path; the number of images that could not be saved."""
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.jobs.job import Job, SaveOptions
    from sdstudio.engine.previews.extension import PreviewImage
    from sdstudio.engine.probes.outputs import ActivationViews
    from sdstudio.engine.prompts.token_count import PromptCounter

    saving = SaveOptions(
        output_dir=Path(args.output_dir).expanduser() if args.output_dir else None,
        file=Path(args.out).expanduser() if args.out else None,
    )
    job = Job(request, previews=previews.settings, probes=probes, saving=saving, networks=networks)
    for note in long_prompt_notes(PromptCounter.for_pipeline(model.pipeline), request):
        print(f"sdstudio: {note}", file=sys.stderr)
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
    return unsaved
