"""Running generate's jobs in the terminal: the model loaded once, each job's saved pictures
printed as they come; shared by ``sdstudio generate`` and its X/Y/Z plot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sdstudio.cli.job_in_terminal import run_in_terminal
from sdstudio.cli.model_options import DownloadProgressPrinter, load_options
from sdstudio.cli.network_options import long_prompt_notes
from sdstudio.cli.watch_options import WatchWriter


def load_for_cli(args: argparse.Namespace):
    """The model the command line names, its hash started in the background."""
    from sdstudio.engine.metadata import start_model_hash
    from sdstudio.engine.models.loading import load_model

    options, progress = load_options(args), DownloadProgressPrinter()
    model = load_model(args.model, device=args.device, options=options, progress=progress)
    start_model_hash(model.source)
    return model


def run_one(model, args, request, networks, previews, probes) -> list:
    """Run one job, printing each saved path; its ``ImageSaved`` payloads (a path of None:
    the image could not be saved)."""
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
    watch = WatchWriter(args, request.image_count)
    saved: list[ImageSaved] = []

    def on_payload(payload: object) -> None:
        if isinstance(payload, PreviewImage):
            previews.on_preview(payload)
        elif isinstance(payload, ActivationViews):
            watch.on_views(payload)
        elif isinstance(payload, ImageSaved):
            previews.on_image(payload)
            saved.append(payload)
            if payload.path is not None:
                print(payload.path)

    run_in_terminal(model, job, on_payload)
    watch.report()
    return saved
