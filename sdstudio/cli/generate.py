"""``sdstudio generate``: one txt2img or img2img run from the command line, on the same engine."""

from __future__ import annotations

import argparse

from sdstudio.cli.controlnet_options import (
    add_controlnet_arguments,
    control_units,
    prepared_controls,
)
from sdstudio.cli.hires_options import check_hires_arguments
from sdstudio.cli.model_options import (
    add_model_arguments,
)
from sdstudio.cli.network_options import add_network_arguments, with_networks
from sdstudio.cli.outpaint_options import add_outpaint_arguments, with_outpainting
from sdstudio.cli.preview_options import CliPreviews, add_preview_arguments
from sdstudio.cli.run_jobs import check_destinations, load_for_cli, run_one, save_options
from sdstudio.cli.server_options import add_server_arguments, refuse_server, run_on_server
from sdstudio.cli.settings_arguments import (
    add_generation_arguments,
    at_native_size,
    build_request,
    text_flags,
)
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.cli.watch_options import add_watch_arguments, probe_options
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
    parser.add_argument(
        "--xyz",
        nargs="+",
        default=None,
        metavar="AXIS=V1,V2",
        help="an X/Y/Z plot: vary up to three settings (Seed, Steps, CFG, Sampler, Prompt S/R, "
        'Strength, LoRA weight), e.g. --xyz "CFG=3,7,11" "Sampler=Euler,DDIM"; one picture '
        "per combination, then a labelled grid (written to --out when given)",
    )
    add_outpaint_arguments(parser)
    add_preview_arguments(parser)
    add_watch_arguments(parser)
    add_network_arguments(parser)
    add_model_arguments(parser)
    add_controlnet_arguments(parser)
    add_server_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_hires_arguments(args)
    if args.xyz:
        refuse_server(args, "--xyz")
        from sdstudio.cli.xyz_plot import run_xyz

        return run_xyz(args)
    jobs = _jobs_arguments(args)
    for each in jobs:
        check_hires_arguments(each)
    requests = [with_networks(build_request(each), each) for each in jobs]
    largest = max((request.final_size for request, _ in requests), key=lambda wh: wh[0] * wh[1])
    check_destinations(dict.fromkeys(map(save_options, jobs)), *largest)
    controls = prepared_controls(args)
    previews = CliPreviews(args)
    probes = probe_options(args)
    if args.server:
        return run_on_server(args, jobs, requests, controls, previews, probes)
    model = load_for_cli(args)
    not_where_asked = 0
    for each, (request, networks) in zip(jobs, requests, strict=True):
        request = with_outpainting(at_native_size(request, each, model.default_size), each)
        units = control_units(controls, request.width, request.height)
        outcome = run_one(model, each, request, networks, previews, probes, units)
        not_where_asked += outcome.not_where_asked
    return 1 if not_where_asked else 0


def _jobs_arguments(args: argparse.Namespace) -> list[argparse.Namespace]:
    """The one job of the command line, or one per line of ``--prompts-file``."""
    if not args.prompts_file:
        return [args]
    from sdstudio.cli.prompts_file import jobs_arguments

    replace_undecodable(args, text_flags())  # once, not once per line that inherits it

    jobs = jobs_arguments(args, args.prompts_file)
    if args.out is not None and len(jobs) > 1:
        raise RequestError(
            f"--out names one file, but {args.prompts_file} has {len(jobs)} prompts: "
            "use --output-dir (or the default autosave folder)"
        )
    return jobs
