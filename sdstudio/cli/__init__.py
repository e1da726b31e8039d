"""The ``sdstudio`` command: no subcommand opens the GUI, subcommands run headless.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its
parser and sets ``handler`` (a function taking the parsed namespace, returning an exit code).

Output piped into a reader that stops early (``sdstudio info IMAGE | head -1``) ends the
command quietly with status 141, as a tool stopped by SIGPIPE reports, not with a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sdstudio.cli.version import VersionAction
from sdstudio.engine.errors import UserFacingError

SUBCOMMAND_MODULES = (
    "generate",
    "demo",
    "info",
    "modules",
    "attention",
    "train_demo",
    "upscale",
    "serve",
)
EXIT_READER_GONE = 128 + 13  # 128 + SIGPIPE, what a shell shows for `yes | head`'s `yes`


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdstudio",
        description="A desktop Stable Diffusion studio. Without a subcommand, opens the window.",
    )
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"sdstudio.cli.{name}").register(subparsers)
    importlib.import_module("sdstudio.cli.gui").add_gui_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(argv)
        if sys.stdout is not None:  # None in a windowed (frozen) app
            sys.stdout.flush()  # a reader that left is noticed here, not at exit
    except BrokenPipeError:
        return _reader_gone()
    return code


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from sdstudio.cli.gui import run_gui

        handler = run_gui
    try:
        return int(handler(args) or 0)
    except UserFacingError as error:
        print(f"sdstudio: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sdstudio: interrupted", file=sys.stderr)
        return 130


def _reader_gone() -> int:
    """Stop writing to a pipe nobody reads: stdout now points at the null device, so the
    flush at Python's exit has nowhere to fail (Python's documented recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (tests capture it)
        pass
    return EXIT_READER_GONE
