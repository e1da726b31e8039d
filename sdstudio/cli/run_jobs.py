"""Running generate's jobs in the terminal: the model loaded once, each job's saved pictures
printed as they come; shared by ``sdstudio generate`` and its X/Y/Z plot.

Where the pictures go is checked before the model loads (:func:`check_destinations`); a picture
that still could not be saved there is kept in the fallback folder, and counted, so the
command can end with a non-zero status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class JobOutcome:
    """A job's ``ImageSaved`` payloads (a ``path`` of None: not saved where asked) and how
    many images are not where the user asked."""

    saved: list = field(default_factory=list)
    not_where_asked: int = 0


def save_options(args: argparse.Namespace):
    """Where ``--out`` or ``--output-dir`` (else the autosave folder) says to save."""
    from sdstudio.engine.jobs.job import SaveOptions

    return SaveOptions(
        output_dir=Path(args.output_dir).expanduser() if args.output_dir else None,
        file=Path(args.out).expanduser() if args.out else None,
    )


def check_destinations(savings: Iterable, width: int, height: int) -> None:
    """Refuse, before the model loads, destinations that cannot take a ``width`` × ``height``
    picture (a message, exit status 2)."""
    from sdstudio.engine.jobs.save_destination import check_save_destination

    for saving in savings:
        check_save_destination(saving, width, height)


def run_one(model, args, request, networks, previews, probes, controlnets=()) -> JobOutcome:
    """Run one job (with ``controlnets``, its ControlNet units), printing each saved path (an
    image kept in the fallback folder instead is reported on stderr)."""
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.jobs.save_fallback import SaveFailed
    from sdstudio.engine.previews.extension import PreviewImage
    from sdstudio.engine.probes.outputs import ActivationViews
    from sdstudio.engine.prompts.token_count import PromptCounter

    saving = save_options(args)
    job = Job(
        request,
        previews=previews.settings,
        probes=probes,
        saving=saving,
        networks=networks,
        controlnets=tuple(controlnets),
    )
    for note in long_prompt_notes(PromptCounter.for_pipeline(model.pipeline), request):
        print(f"sdstudio: {note}", file=sys.stderr)
    if args.seed is None:
        print(f"seed: {request.seed}", file=sys.stderr)
    watch = WatchWriter(args, request.image_count)
    outcome = JobOutcome()

    def on_payload(payload: object) -> None:
        if isinstance(payload, PreviewImage):
            previews.on_preview(payload)
        elif isinstance(payload, ActivationViews):
            watch.on_views(payload)
        elif isinstance(payload, SaveFailed):
            outcome.not_where_asked += 1  # run_in_terminal printed why and where it went
        elif isinstance(payload, ImageSaved):
            previews.on_image(payload)
            outcome.saved.append(payload)
            if payload.path is not None:
                print(payload.path)

    run_in_terminal(model, job, on_payload)
    watch.report()
    return outcome
