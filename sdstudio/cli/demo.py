"""``sdstudio demo --path``: where the shipped demo model's diffusers folder is."""

from __future__ import annotations

import argparse

from sdstudio.engine.models.demo.model import (
    DEMO_INPAINTING_NAME,
    DEMO_NAME,
    demo_label,
    demo_model_dir,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="about the built-in demo model")
    parser.add_argument("--path", action="store_true", help="print the demo model's folder")
    parser.add_argument(
        "--inpainting", action="store_true", help="the demo's inpainting model instead"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    name = DEMO_INPAINTING_NAME if args.inpainting else DEMO_NAME
    folder = demo_model_dir(name)
    print(folder if args.path else f"{demo_label(name)}\n{folder}")
    return 0
