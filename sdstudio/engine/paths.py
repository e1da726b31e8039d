"""Where sdstudio keeps its files: everything lives under ``SDSTUDIO_HOME``.

Tests point ``SDSTUDIO_HOME`` at a temporary folder so they never touch the user's files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOME_ENV = "SDSTUDIO_HOME"


def _platform_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "sdstudio"


def home_dir() -> Path:
    """The root folder for settings, outputs and caches (created on demand)."""
    configured = os.environ.get(HOME_ENV)
    root = Path(configured).expanduser() if configured else _platform_data_dir()
    root.mkdir(parents=True, exist_ok=True)
    return root


def models_dir() -> Path:
    path = home_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = home_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def queue_dir() -> Path:
    """Where the job queue is kept between sessions (``queue.json`` and its images)."""
    path = home_dir() / "queue"
    path.mkdir(parents=True, exist_ok=True)
    return path


def outputs_dir() -> Path:
    path = home_dir() / "outputs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def unsaved_dir() -> Path:
    """Where a finished image is kept when the folder or file chosen for it refused it (full
    disk, read-only folder): inside ``outputs``, so the history still lists it."""
    path = outputs_dir() / "unsaved"
    path.mkdir(parents=True, exist_ok=True)
    return path


def loras_dir() -> Path:
    """Where LoRA files are looked up by the name a ``<lora:NAME:WEIGHT>`` tag gives."""
    path = models_dir() / "loras"
    path.mkdir(parents=True, exist_ok=True)
    return path


def embeddings_dir() -> Path:
    """Where textual-inversion embeddings are found by the name a prompt uses."""
    path = models_dir() / "embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upscalers_dir() -> Path:
    """Where upscaler models (ESRGAN and the other architectures spandrel knows) are found by
    name."""
    path = models_dir() / "upscalers"
    path.mkdir(parents=True, exist_ok=True)
    return path
