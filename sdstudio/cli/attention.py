"""``sdstudio attention``: generate, then draw where the image attended to one prompt token.

    sdstudio attention --prompt "a red dragon" --token dragon --out map.png

The word is looked up among the tokenizer's own tokens before anything is generated; a word
the prompt does not contain is answered with the list of its tokens.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sdstudio.cli.job_in_terminal import run_in_terminal
from sdstudio.cli.model_options import DownloadProgressPrinter, add_model_arguments, load_options
from sdstudio.cli.number_arguments import finite_float
from sdstudio.cli.settings_arguments import (
    add_generation_arguments,
    at_native_size,
    build_request,
)
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.probes.heat_overlay import DEFAULT_OPACITY


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "attention",
        help="generate and write a prompt token's cross-attention map over the image",
        description="Generate an image while recording the UNet's cross-attention, then write "
        "the image with a heat map of where it attended to one token of the prompt.",
    )
    add_generation_arguments(parser)
    parser.add_argument(
        "--token", required=True, metavar="WORD", help="a word of the prompt, or a token (d</w>)"
    )
    parser.add_argument(
        "--opacity", type=finite_float, default=DEFAULT_OPACITY, help="heat map opacity 0..1"
    )
    add_model_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0.0 <= args.opacity <= 1.0:
        raise UserFacingError(f"--opacity must be between 0 and 1, got {args.opacity}")
    request = build_request(args)
    replace_undecodable(args, {"token": "--token"})  # looked up among the prompt's tokens
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.jobs.job import Job, SaveOptions
    from sdstudio.engine.jobs.save_destination import check_save_destination
    from sdstudio.engine.models.loading import load_model
    from sdstudio.engine.probes import find_token, overlay_on, prompt_tokens
    from sdstudio.engine.probes.options import ProbeOptions
    from sdstudio.engine.probes.outputs import AttentionMaps
    from sdstudio.engine.probes.prompt_tokens import prompt_tokenizer

    check_save_destination(_maps_destination(args.out), request.width, request.height)
    options, progress = load_options(args), DownloadProgressPrinter()
    model = load_model(args.model, device=args.device, options=options, progress=progress)
    request = at_native_size(request, args, model.default_size)
    # The word is checked against the prompt's tokens before anything is generated.
    tokens = prompt_tokens(prompt_tokenizer(model.pipeline), request.prompt)
    selection = find_token(tokens, args.token)
    if args.seed is None:
        print(f"seed: {request.seed}", file=sys.stderr)
    maps: dict[int, AttentionMaps] = {}
    kept_elsewhere: list[Path] = []

    def on_payload(payload: object) -> None:
        if isinstance(payload, AttentionMaps):
            maps[payload.image_index] = payload
        elif isinstance(payload, ImageSaved):
            heat = maps.pop(payload.image_index).maps.heat(selection)
            path = _map_path(args.out, payload, selection.query)
            picture = overlay_on(payload.image, heat, args.opacity)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                picture.save(path)
            except OSError as error:  # the disk filled during the run
                path = _keep_unsaved(picture, path, error)
                kept_elsewhere.append(path)
            print(path)

    # The map is the result: the plain image is not autosaved beside it.
    job = Job(request, probes=ProbeOptions(attention=True), saving=SaveOptions(enabled=False))
    run_in_terminal(model, job, on_payload)
    return 1 if kept_elsewhere else 0


def _maps_destination(out: str | None):
    """Where the maps go, as the pre-run check takes it (without ``--out``, the outputs
    folder, which the check of the default autosave folder tries)."""
    from sdstudio.engine.jobs.job import SaveOptions

    return SaveOptions(file=Path(out).expanduser()) if out is not None else SaveOptions()


def _keep_unsaved(picture, path: Path, error: OSError) -> Path:
    """The map in the fallback folder, with a note on stderr (a message if that fails too)."""
    from sdstudio.engine.paths import unsaved_dir

    problem = f"Could not save the attention map ({error})"
    try:
        kept = unsaved_dir() / path.name
        picture.save(kept)
    except OSError as second:
        raise UserFacingError(f"{problem}, nor keep it in sdstudio's folder ({second})") from None
    print(f"sdstudio: {problem}; it was kept as {kept}", file=sys.stderr)
    return kept


def _map_path(out: str | None, event, word: str) -> Path:
    """``--out`` (numbered within a batch), or ``outputs/SEED-attention-WORD.png``."""
    if out is None:
        from sdstudio.engine.paths import outputs_dir

        safe = "".join(c if c.isalnum() else "_" for c in word) or "token"
        return outputs_dir() / f"{event.seed}-attention-{safe}.png"
    path = Path(out).expanduser()
    if event.batch_count > 1:
        return path.with_name(f"{path.stem}-{event.image_index + 1}{path.suffix}")
    return path
