"""``sdstudio generate --prompts-file FILE``: one job per line, as A1111's "Prompts from file".

A line is a prompt, or options that change this line's job only (``--prompt "a cat" --steps
30 --seed 5``); every other setting comes from the command line. Blank lines and lines
starting with ``#`` are skipped. Every line is checked before the model loads, so a typo on
line 40 is reported before 39 pictures have been made. Bytes that are not UTF-8 (a line saved
in another encoding) are replaced, with a note naming the line; a file with NUL bytes is not
text and is refused.

Lines are read and parsed by :mod:`sdstudio.engine.jobs.prompt_lines`, which the window's
"Queue prompts from file…" uses too; this puts each line on top of the command line.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

from sdstudio.cli.settings_arguments import text_flags
from sdstudio.cli.undecodable_text import replace_undecodable
from sdstudio.engine.errors import RequestError
from sdstudio.engine.jobs.prompt_lines import (
    MAX_LINES,
    line_options,
    line_parser,
    read_prompt_lines,
)

__all__ = ["MAX_LINES", "jobs_arguments", "line_arguments", "line_parser", "read_prompt_lines"]


def line_arguments(
    base: argparse.Namespace, line: str, parser: argparse.ArgumentParser
) -> argparse.Namespace:
    """The command line's arguments with this line's options (or prompt) on top."""
    args = copy.copy(base)
    for name, value in line_options(line, parser).items():
        setattr(args, name, value)
    return args


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
