"""Command-line options for the generation settings, one per schema setting, and the request
they make; shared by ``sdstudio generate`` and ``sdstudio attention``.

A setting's flag is its ``cli`` name (else ``--name-with-dashes``), typed and defaulted from
its field. What the command line does on its own: ``--prompt`` is required (checked in
:func:`build_request`, so ``--prompts-file`` can stand in for it), a missing
``--seed`` draws a random one, ``--init`` names an image file, and a missing ``--width`` or
``--height`` is the model's native size (as diffusers' pipelines do), known once it loads.
Numbers must be finite (no ``nan``, no ``inf``) and bytes of the prompts that are not UTF-8
are replaced (:mod:`.undecodable_text`).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
from collections.abc import Iterable
from pathlib import Path

from sdstudio.cli.model_options import MODEL_HELP
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.engine.generation.inpainting.mask_file import load_mask
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.generation.settings import SECTIONS, setting_fields
from sdstudio.engine.jobs.setting_options import (  # derived from the schema, shared with
    DRAWN_WHEN_MISSING,  # the window's prompts lines (engine/jobs/prompt_lines.py)
    IMAGE_FILE,
    MASK_FILE,
    NATIVE_WHEN_MISSING,
    REQUIRED,
    SCHEDULER,
    TEXT_SETTINGS,
    add_setting_arguments,
    destination,
    flag,
    text_flags,
)

__all__ = [  # the schema's options live in the engine now; the CLI's modules import them here
    "DRAWN_WHEN_MISSING",
    "IMAGE_FILE",
    "MASK_FILE",
    "NATIVE_WHEN_MISSING",
    "REQUIRED",
    "SCHEDULER",
    "TEXT_SETTINGS",
    "add_generation_arguments",
    "add_setting_arguments",
    "at_native_size",
    "build_request",
    "destination",
    "flag",
    "setting_values",
    "text_flags",
]


def add_generation_arguments(parser: argparse.ArgumentParser) -> None:
    """Every setting, plus model, device and --out; shared with ``sdstudio attention``."""
    add_setting_arguments(parser)
    parser.add_argument("--model", default="demo", help=MODEL_HELP)
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument("--out", default=None, metavar="FILE.png", help="where to write the PNG")


def setting_values(args: argparse.Namespace, sections: Iterable[type] = SECTIONS) -> dict:
    """The settings' values as given on the command line (setting name → value)."""
    values = {each.name: getattr(args, destination(each)) for each in setting_fields(sections)}
    if DRAWN_WHEN_MISSING in values and values[DRAWN_WHEN_MISSING] is None:
        values[DRAWN_WHEN_MISSING] = random.randint(0, MAX_SEED)
    if values.get(IMAGE_FILE):  # "--init ''" is no init image, as before
        values[IMAGE_FILE] = load_init_image(values[IMAGE_FILE])
    if values.get(MASK_FILE):
        values[MASK_FILE] = load_mask(values[MASK_FILE])
    elif MASK_FILE in values:  # "--mask ''" is no mask
        values[MASK_FILE] = None
    return values


def build_request(args: argparse.Namespace) -> GenerationRequest:
    """Validate everything that can be checked before the model is loaded (a size not given
    is checked at the schema's default, then set by :func:`at_native_size`)."""
    if args.out is not None and Path(args.out).suffix.lower() != ".png":
        raise RequestError(f"--out must name a .png file, got {args.out}")
    if not args.prompt:
        raise RequestError("--prompt is required: what to draw")
    replace_undecodable(args, text_flags())
    values = setting_values(args)
    defaults = {each.name: each.default for each in setting_fields(SECTIONS)}
    for name in NATIVE_WHEN_MISSING:
        if values.get(name) is None:
            values[name] = defaults[name]
    return GenerationRequest(**values)


def at_native_size(request: GenerationRequest, args: argparse.Namespace, side: int):
    """``request`` with the sides the command line left out set to the model's ``side``."""
    given = {name: getattr(args, name, None) for name in NATIVE_WHEN_MISSING}
    missing = {name: side for name, value in given.items() if value is None}
    return dataclasses.replace(request, **missing) if missing else request
