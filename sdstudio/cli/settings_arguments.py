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
from typing import Any

from sdstudio.cli.model_options import MODEL_HELP
from sdstudio.cli.number_arguments import finite_float
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.engine.generation.inpainting.mask_file import load_mask
from sdstudio.engine.generation.request import MAX_SEED, GenerationRequest
from sdstudio.engine.generation.scheduler_names import canonical_scheduler_name
from sdstudio.engine.generation.settings import SECTIONS, SettingField, setting_fields

REQUIRED = frozenset({"prompt"})  # a run without a prompt is almost always a mistyped line
DRAWN_WHEN_MISSING = "seed"
IMAGE_FILE = "init_image"
MASK_FILE = "mask"
NATIVE_WHEN_MISSING = ("width", "height")
SCHEDULER = "scheduler"
TEXT_SETTINGS = ("prompt", "negative_prompt")  # read by the text encoder; paths keep their bytes


def flag(each: SettingField) -> str:
    return each.setting.cli or "--" + each.name.replace("_", "-")


def destination(each: SettingField) -> str:
    """The ``args`` attribute argparse makes of the flag (``--cfg`` → ``args.cfg``)."""
    return flag(each).removeprefix("--").replace("-", "_")


def text_flags() -> dict[str, str]:
    """The ``args`` attributes of the prompt settings and their flags (``negative`` →
    ``--negative``), whose undecodable bytes are replaced."""
    return {
        destination(each): flag(each) for each in setting_fields() if each.name in TEXT_SETTINGS
    }


def add_setting_arguments(
    parser: argparse.ArgumentParser, sections: Iterable[type] = SECTIONS
) -> None:
    """One option per setting of ``sections``."""
    for each in setting_fields(sections):
        options: dict[str, Any] = {"default": each.default, "help": each.setting.help}
        if each.value_type is int:
            options["type"] = int
        elif each.value_type is float:
            options["type"] = finite_float
        elif each.value_type is bool:
            options["action"] = argparse.BooleanOptionalAction
        if each.setting.choices is not None:
            options["choices"] = each.setting.choices
        if each.name == SCHEDULER:
            options["type"] = canonical_scheduler_name
        if each.name in REQUIRED:  # checked in build_request: --prompts-file replaces it
            options = {"default": None, "help": f"{each.setting.help} (required)"}
        elif each.name == DRAWN_WHEN_MISSING:
            options["default"] = None
            options["help"] = "default: a random seed"
        elif each.name in (IMAGE_FILE, MASK_FILE):
            options = {"default": None, "metavar": "IMAGE", "help": each.setting.help}
        elif each.name in NATIVE_WHEN_MISSING:
            options["default"] = None
            options["help"] = "default: the model's native size (demo 128, SD 1.5 512)"
        parser.add_argument(flag(each), **options)


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
