"""Command-line style options for the generation settings, derived from the settings schema:
one per setting, shared by ``sdstudio generate``/``attention`` and the prompts-file lines that
the CLI and the window both read (:mod:`.prompt_lines`).

A setting's flag is its ``cli`` name (else ``--name-with-dashes``), typed and defaulted from
its field. ``--prompt`` has no default (the command line requires it, a prompts-file line can
stand in for it), ``--seed`` defaults to None (a random one), ``--init``/``--mask`` name image
files and ``--width``/``--height`` default to None (the model's native size). Numbers must be
finite (:func:`finite_float`: no ``nan``, no ``inf``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable
from typing import Any

from sdstudio.engine.generation.scheduler_names import canonical_scheduler_name
from sdstudio.engine.generation.settings import SECTIONS, SettingField, setting_fields

REQUIRED = frozenset({"prompt"})  # a run without a prompt is almost always a mistyped line
DRAWN_WHEN_MISSING = "seed"
IMAGE_FILE = "init_image"
MASK_FILE = "mask"
NATIVE_WHEN_MISSING = ("width", "height")
SCHEDULER = "scheduler"
TEXT_SETTINGS = ("prompt", "negative_prompt")  # read by the text encoder; paths keep their bytes


def finite_float(text: str) -> float:
    """An argparse ``type``: the number in ``text``, refused unless it is finite (``float()``
    also takes ``nan`` and ``inf``, which no setting can use: a NaN CFG scale is written into
    the image's metadata, an infinite one makes a black picture)."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return number


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
        if each.name in REQUIRED:  # checked by the command line: --prompts-file replaces it
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
