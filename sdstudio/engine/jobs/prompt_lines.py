"""Prompts lines, as A1111's "Prompts from file or textbox" reads them: one job per line.

A line is a prompt, or options that change that line's job only (``--prompt "a cat" --steps
30 --seed 5``), the same options as ``sdstudio generate`` (:mod:`.setting_options`, derived
from the settings schema); every other setting is the caller's (the command line's, or the
window's settings of the moment). Blank lines and lines starting with ``#`` are skipped.
Every line is checked before any job runs, and a bad one is named by its number
(``prompts.txt line 3: argument --steps: invalid int value: 'many'``).

The CLI (``generate --prompts-file``) and the window's "Queue prompts from file…" both read
lines here: :func:`line_options` gives the options a line sets, :func:`line_requests` the
requests of a text on top of the window's settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.engine.generation.inpainting.mask_file import load_mask
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.settings import setting_fields
from sdstudio.engine.jobs.setting_options import (
    IMAGE_FILE,
    MASK_FILE,
    add_setting_arguments,
    destination,
)

MAX_LINES = 10_000  # the command line's bound; the window takes fewer at once
PROMPT = "prompt"

PromptLine = tuple[int, str]  # (line number, counted from 1; the line's text, stripped)


class _LineParser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so a bad line becomes one message."""

    def error(self, message: str):  # type: ignore[override]
        raise RequestError(message)


class _Unset:
    """What an option no line gave holds while a line is parsed (argparse keeps a value the
    namespace already has, so the line's own options are told from the rest)."""


_UNSET = _Unset()


def line_parser() -> argparse.ArgumentParser:
    parser = _LineParser(prog="a prompts-file line", add_help=False)
    add_setting_arguments(parser)
    return parser


def read_prompts_text(
    path: str | Path, errors: str = "surrogateescape", max_bytes: int | None = None
) -> str:
    """The text of a prompts file; a message for a missing, unreadable, binary or (past
    ``max_bytes``) too large one. ``errors`` is how bytes that are not UTF-8 are decoded
    (the CLI keeps them as surrogates to name the line; the window replaces them)."""
    file = Path(path).expanduser()
    try:
        if max_bytes is not None and file.stat().st_size > max_bytes:
            raise RequestError(
                f"{file.name} is {file.stat().st_size:,} bytes: a prompts file of at most "
                f"{max_bytes:,} bytes is read"
            )
        text = file.read_text(encoding="utf-8-sig", errors=errors)
    except FileNotFoundError:
        raise RequestError(f"Prompts file not found: {file}") from None
    except OSError as error:
        raise RequestError(f"Cannot read {file.name} as a text file: {error}") from None
    if "\0" in text:
        raise RequestError(f"Cannot read {file.name} as a text file: it holds binary data")
    return text


def prompt_lines(text: str, name: str, max_lines: int = MAX_LINES) -> list[PromptLine]:
    """(line number, text) of each job line of ``text`` (called ``name`` in messages)."""
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise RequestError(f"{name} has no prompts (blank lines and # comments only)")
    if len(lines) > max_lines:
        raise RequestError(f"{name} has {len(lines)} prompts; at most {max_lines} at once")
    return lines


def read_prompt_lines(path: str | Path) -> list[PromptLine]:
    """(line number, text) of each job line of a file; a message for a missing or
    unreadable file."""
    file = Path(path).expanduser()
    return prompt_lines(read_prompts_text(file), file.name)


def line_options(line: str, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The options ``line`` sets (argparse attribute → value, as ``sdstudio generate`` names
    them: ``cfg``, ``negative``); a line that does not start with ``--`` is a prompt."""
    if not line.startswith("--"):
        return {PROMPT: line}
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise RequestError(f"cannot split the line into options: {error}") from None
    unset = argparse.Namespace(**{destination(each): _UNSET for each in setting_fields()})
    given = parser.parse_args(tokens, namespace=unset)
    return {name: value for name, value in vars(given).items() if value is not _UNSET}


def line_settings(line: str, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The settings ``line`` sets, by their schema names (``cfg_scale``, ``negative_prompt``)."""
    names = {destination(each): each.name for each in setting_fields()}
    return {names[option]: value for option, value in line_options(line, parser).items()}


def request_for_line(base: GenerationRequest, settings: dict[str, Any]) -> GenerationRequest:
    """``base`` with a line's settings on top (``--init``/``--mask`` name image files, read
    here; an empty name is none); raises :class:`RequestError` for what cannot run."""
    values = dict(settings)
    for name, load in ((IMAGE_FILE, load_init_image), (MASK_FILE, load_mask)):
        if name in values:
            values[name] = load(values[name]) if values[name] else None
    request = dataclasses.replace(base, **values)
    if not request.prompt:
        raise RequestError("no prompt")
    return request


def line_error(name: str, number: int, error: Exception) -> RequestError:
    """The message that names a bad line: ``prompts.txt line 3: …`` (``Line 3: …`` for a
    text with no file name)."""
    where = f"{name} line" if name else "Line"
    return RequestError(f"{where} {number}: {error}")


def line_requests(
    base: Callable[[], GenerationRequest],
    text: str,
    name: str = "",
    max_lines: int = MAX_LINES,
) -> list[tuple[int, GenerationRequest]]:
    """(line number, request) for each job line of ``text``: ``base()`` (called once per
    line, so a random seed is drawn for each) with the line on top. Every line is checked
    and the first bad one is named (:func:`line_error`)."""
    parser = line_parser()
    requests = []
    for number, line in prompt_lines(text, name or "The text", max_lines):
        try:
            requests.append((number, request_for_line(base(), line_settings(line, parser))))
        except RequestError as error:
            raise line_error(name, number, error) from None
    return requests
