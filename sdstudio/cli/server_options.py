"""``sdstudio generate --server URL [--token T]``: the same jobs run by an ``sdstudio serve``
server, each image saved here as a local run saves it (same file names, same infotext).

Options that name this machine's files for the run itself are refused with a message:
watched modules (pictures made inside the run), LoRA and embedding folders (the server looks
LoRAs and embeddings up by name in its own folders).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from sdstudio.cli.controlnet_options import control_units
from sdstudio.cli.job_in_terminal import show_in_terminal
from sdstudio.cli.outpaint_options import with_outpainting
from sdstudio.cli.run_jobs import save_options
from sdstudio.cli.settings_arguments import NATIVE_WHEN_MISSING, at_native_size
from sdstudio.engine.errors import RequestError, UserFacingError
from sdstudio.engine.remote.server_connection import TOKEN_VARIABLE

if TYPE_CHECKING:
    from sdstudio.cli.preview_options import CliPreviews
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.probes.options import ProbeOptions
    from sdstudio.engine.remote.client import RemoteRunner


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server")
    group.add_argument(
        "--server",
        default=None,
        metavar="URL",
        help="run on an `sdstudio serve` server (http://HOST:PORT); the images are saved here",
    )
    group.add_argument(
        "--token", default=None, help=f"the server's token (default: ${TOKEN_VARIABLE})"
    )


def refuse_server(args: argparse.Namespace, other: str) -> None:
    """A message (exit status 2) when ``--server`` comes with ``other``, which runs here."""
    if getattr(args, "server", None):
        raise RequestError(f"--server cannot be used with {other} yet")


def run_on_server(
    args: argparse.Namespace,
    jobs: list[argparse.Namespace],
    requests: list,
    controls: list,
    previews: CliPreviews,
    probes: ProbeOptions,
) -> int:
    """Run generate's jobs on ``--server``, printing each saved path; the exit status as a
    local run gives it (1 when an image is not where it was asked to go)."""
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.remote.client import RemoteRunner

    if probes.watch:
        raise RequestError("--watch needs a local run: leave out --server")
    if any(networks.loras or networks.embeddings for _, networks in requests):
        raise RequestError(
            "--lora FILE, --lora-dir and --embeddings-dir name files on this machine; a server "
            "uses the LoRAs and embeddings of its own folders (name them: --lora NAME)"
        )
    runner = RemoteRunner(args.server, args.token or os.environ.get(TOKEN_VARIABLE) or None)
    side: int | None = None
    not_where_asked = 0
    for each, (request, _) in zip(jobs, requests, strict=True):
        if side is None and any(getattr(each, name) is None for name in NATIVE_WHEN_MISSING):
            side = _native_side(runner)
        request = with_outpainting(at_native_size(request, each, side or 0), each)
        units = control_units(controls, request.width, request.height)
        job = Job(request, previews=previews.settings, saving=save_options(each), controlnets=units)
        if each.seed is None:
            print(f"seed: {request.seed}", file=sys.stderr)
        not_where_asked += _run(runner, job, previews)
    return 1 if not_where_asked else 0


def _native_side(runner: RemoteRunner) -> int:
    """The served model's native size, for the sides the command line left out."""
    models = runner.models()
    try:
        return int(models[0]["default_size"])
    except (IndexError, KeyError, TypeError, ValueError):
        raise UserFacingError(f"The server at {runner.url} did not say its model's size") from None


def _run(runner: RemoteRunner, job: Job, previews: CliPreviews) -> int:
    """One job, as ``run_one`` shows a local one; returns how many images went elsewhere."""
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.jobs.save_fallback import SaveFailed
    from sdstudio.engine.previews.extension import PreviewImage

    not_where_asked = 0

    def on_payload(payload: object) -> None:
        nonlocal not_where_asked
        if isinstance(payload, SaveFailed):
            not_where_asked += 1  # show_in_terminal printed why and where it went
        elif isinstance(payload, PreviewImage):
            previews.on_preview(payload)
        elif isinstance(payload, ImageSaved):
            previews.on_image(payload)
            if payload.path is not None:
                print(payload.path)

    show_in_terminal(runner.run_job(job), on_payload)
    return not_where_asked
