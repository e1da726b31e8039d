"""Opening the desktop window from the command line (``sdstudio`` with no subcommand)."""

from __future__ import annotations

import argparse
import sys


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="model to load at start (default: demo)")
    parser.add_argument("--init", default=None, metavar="IMAGE", help="init image for img2img")
    parser.add_argument("--output-dir", default=None, metavar="DIR", help="where to save images")
    # Packaged builds check themselves with this (packaging/smoke.sh); not for users.
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)


def run_gui(args: argparse.Namespace) -> int:
    # Before Qt is imported: a missing xcb library makes Qt abort with a core dump.
    from sdstudio.ui.platform_libraries import platform_libraries_problem

    problem = platform_libraries_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    if args.smoke_test:
        from sdstudio.ui.smoke_test import run_smoke_test

        return run_smoke_test(model=args.model, output_dir=args.output_dir)
    from sdstudio.ui.app import run_app

    return run_app(model=args.model, init_image=args.init, output_dir=args.output_dir)
