"""``sdstudio --version``: the installed distribution's version, else the source's."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from sdstudio import __version__

DISTRIBUTION = "sdstudio"


def installed_version() -> str:
    """The installed package's version (what pip reports); the package's own ``__version__``
    when it runs from a source tree or a frozen bundle without metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return __version__


class VersionAction(argparse.Action):
    """Prints ``sdstudio X.Y.Z`` and exits 0; the version is looked up only when asked for,
    so every other start skips reading the package metadata."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: Any):
        super().__init__(
            option_strings,
            dest=dest,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print sdstudio's version and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"sdstudio {installed_version()}")
        parser.exit()
