"""``sdstudio generate --prompts-file FILE``: one job per line, as A1111's "Prompts from file".

A line is a prompt, or options that change this line's job only (``--prompt "a cat" --steps
30 --seed 5``); every other setting comes from the command line. Blank lines and lines
starting with ``#`` are skipped. Every line is checked before the model loads, so a typo on
line 40 is reported before 39 pictures have been made. Bytes that are not UTF-8 (a line saved
in another encoding) are replaced, with a note naming the line; a file with NUL bytes is not
text and is refused.
"""

from __future__ import annotations

import argparse
import copy
import shlex
from pathlib import Path

from sdstudio.cli.settings_arguments import add_setting_arguments, text_flags
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.engine.errors import RequestError

MAX_LINES = 10_000


class _LineParser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so a bad line becomes one message."""

    def error(self, message: str):  # type: ignore[override]
        raise RequestError(message)


def line_parser() -> argparse.ArgumentParser:
    parser = _LineParser(prog="a prompts-file line", add_help=False)
    add_setting_arguments(parser)
    return parser


def read_prompt_lines(path: str | Path) -> list[tuple[int, str]]:
    """(line number, text) of each job line; a message for a missing or unreadable file."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8-sig", errors="surrogateescape")
    except FileNotFoundError:
        raise RequestError(f"Prompts file not found: {file}") from None
    except OSError as error:
        raise RequestError(f"Cannot read {file.name} as a text file: {error}") from None
    if "\0" in text:
        raise RequestError(f"Cannot read {file.name} as a text file: it holds binary data")
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise RequestError(f"{file.name} has no prompts (blank lines and # comments only)")
    if len(lines) > MAX_LINES:
        raise RequestError(f"{file.name} has {len(lines)} prompts; at most {MAX_LINES} at once")
    return lines


def line_arguments(
    base: argparse.Namespace, line: str, parser: argparse.ArgumentParser
) -> argparse.Namespace:
    """The command line's arguments with this line's options (or prompt) on top."""
    args = copy.copy(base)
    if not line.startswith("--"):
        args.prompt = line
        return args
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise RequestError(f"cannot split the line into options: {error}") from None
    return parser.parse_args(tokens, namespace=args)


def jobs_arguments(base: argparse.Namespace, path: str | Path) -> list[argparse.Namespace]:
    """One namespace per job line, each checked; ``FILE line N: …`` names a bad one."""
    parser = line_parser()
    name = Path(path).name
    result = []
    for number, line in read_prompt_lines(path):
        try:
            args = line_arguments(base, line, parser)
            if not args.prompt:
                raise RequestError("no prompt")
        except RequestError as error:
            raise RequestError(f"{name} line {number}: {error}") from None
        replace_undecodable(args, text_flags(), where=f"{name} line {number}: ")
        result.append(args)
    return result
