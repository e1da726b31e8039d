"""``sdstudio info IMAGE``: the generation parameters stored in an image, for people to read.

Exit status: 0 when parameters were found, 1 when the image carries none, 2 when the path is
missing or not an image (through ``UserFacingError``).

An image's text is anyone's: its control characters are shown escaped (``\x1b``) rather than
obeyed by the terminal; ``--raw`` writes them as stored when its output is not a terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from sdstudio.cli.terminal_text import for_terminal
from sdstudio.engine.metadata.png_chunks import (
    COMFYUI_CHUNKS,
    ImageMetadata,
    MetadataSource,
    read_metadata,
)
from sdstudio.engine.metadata.record import GenerationRecord, format_number


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info",
        help="show the generation parameters stored in an image",
        description="Show the parameters stored in an image by sdstudio, A1111 or ComfyUI. "
        "Exits 1 when the image carries none.",
    )
    parser.add_argument("image", help="an image file (PNG written by sdstudio, A1111, ComfyUI...)")
    parser.add_argument(
        "--raw",
        action="store_true",
        help="print the text chunks exactly as stored (control characters escaped on a terminal)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    metadata = read_metadata(args.image)
    if args.raw:
        shown = for_terminal if sys.stdout.isatty() else str
        for name, text in metadata.texts.items():
            print(shown(f"{name}:\n{text}\n"))
        return 0 if metadata.has_parameters else 1
    if not metadata.has_parameters:
        _show(f"{args.image}: no generation parameters found")
        if metadata.texts:
            _show(f"(other text chunks: {', '.join(metadata.texts)})")
        return 1
    _show(f"{args.image}: {_source_label(metadata)}")
    for line in describe(metadata):
        _show(line)
    return 0


def _show(line: str) -> None:
    print(for_terminal(line))


def describe(metadata: ImageMetadata) -> list[str]:
    """Readable ``Label: value`` lines; continuation lines of a multi-line value are indented."""
    if metadata.record is not None:
        return _lines(_record_fields(metadata.record))
    if metadata.infotext is not None:
        info = metadata.infotext
        pairs = [("Prompt", info.prompt), ("Negative prompt", info.negative_prompt)]
        return _lines([*pairs, *info.params.items()])
    return [f"{name}:\n{metadata.texts[name]}" for name in COMFYUI_CHUNKS if name in metadata.texts]


def _source_label(metadata: ImageMetadata) -> str:
    if metadata.record is not None:
        return f"made by sdstudio {metadata.record.sdstudio_version}"
    if metadata.source is MetadataSource.COMFYUI:
        return "ComfyUI workflow (raw JSON)"
    return "A1111-style parameters"


def _record_fields(record: GenerationRecord) -> list[tuple[str, str]]:
    fields = [
        ("Prompt", record.prompt),
        ("Negative prompt", record.negative_prompt),
        ("Steps", str(record.steps)),
        ("Sampler", record.sampler_name),
        ("CFG scale", format_number(record.cfg_scale)),
        ("Seed", str(record.seed)),
        ("Size", f"{record.width}x{record.height}"),
    ]
    if record.img2img:
        fields.append(("Denoising strength", format_number(record.strength)))
    fields += [
        ("Model", record.model_name),
        ("Model hash", record.model_hash or "(not computed)"),
        ("Model path", record.model_path),
        ("Scheduler setting", record.scheduler),
    ]
    if record.device:
        fields.append(("Device", record.device))
    if record.preview is not None:
        fields.append(("Preview", json.dumps(record.preview, sort_keys=True)))
    return fields


def _lines(fields: Iterable[tuple[str, str]]) -> list[str]:
    return [f"{label}: {value}".replace("\n", "\n  ") for label, value in fields]
