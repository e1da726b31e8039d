"""``sdstudio demo --path``: where the shipped demo model's diffusers folder is."""

from __future__ import annotations

import argparse

from sdstudio.engine.models.demo.model import DEMO_LABEL, demo_model_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="about the built-in demo model")
    parser.add_argument("--path", action="store_true", help="print the demo model's folder")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = demo_model_dir()
    print(folder if args.path else f"{DEMO_LABEL}\n{folder}")
    return 0
