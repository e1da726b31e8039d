"""The ``sdstudio`` command: no subcommand opens the GUI, subcommands run headless.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its
parser and sets ``handler`` (a function taking the parsed namespace, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sdstudio.cli.version import VersionAction
from sdstudio.engine.errors import UserFacingError

SUBCOMMAND_MODULES = ("generate", "demo", "info", "modules", "attention", "train_demo")


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
