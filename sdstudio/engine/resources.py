"""Where the data files under ``resources/`` are, from a source checkout or a frozen app."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources`` folder: next to the package in a checkout, in ``_MEIPASS`` when frozen.

    PyInstaller unpacks data files under ``sys._MEIPASS``; the spec copies ``resources/`` there
    under the same name, so the lookup is the same relative path in both cases.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
