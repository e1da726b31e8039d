"""The ControlNet models a user has: where they live and finding one by the name a unit gives.

They live in ``SDSTUDIO_HOME/models/controlnet``, as A1111 keeps them in ``models/ControlNet``:
single ``.safetensors`` files or diffusers folders. A name is a file's stem or a folder's name,
matched without regard to case; A1111's infotext adds the short hash
(``control_v11p_sd15_canny [d14c016b]``), which is ignored. A path is taken as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.paths import models_dir

CONTROLNET_SUFFIX = ".safetensors"
PICKLE_SUFFIXES = (".pth", ".pt", ".ckpt", ".bin")
_HASH_TAIL = re.compile(r"\s*\[[0-9a-fA-F]{8,}\]\s*$")


def controlnet_dir() -> Path:
    """Where ControlNet models are looked up by name (created on demand)."""
    path = models_dir() / "controlnet"
    path.mkdir(parents=True, exist_ok=True)
    return path


def available_controlnets(folder: Path | None = None) -> list[Path]:
    """The ControlNets in ``folder`` (the default one): ``.safetensors`` files and diffusers
    folders (with a ``config.json``), sorted by name; pickled files are not offered."""
    folder = folder or controlnet_dir()
    found = [
        entry
        for entry in folder.iterdir()
        if (entry.is_file() and entry.suffix.lower() == CONTROLNET_SUFFIX)
        or (entry.is_dir() and (entry / "config.json").is_file())
    ]
    return sorted(found, key=lambda path: path.name.lower())


def find_controlnet(spec: str) -> Path:
    """The file or folder ``spec`` names: a name in the ControlNet folder, else an existing
    path; a :class:`ModelLoadError` naming the folder when there is none."""
    given = Path(spec).expanduser()
    if given.name != spec and given.exists():  # a path, not a bare name
        return given
    name = _HASH_TAIL.sub("", spec).strip()
    folder = controlnet_dir()
    entries = sorted(folder.iterdir())
    wanted = {name.lower(), (name + CONTROLNET_SUFFIX).lower()}
    for entry in entries:
        if entry.name.lower() in wanted:
            return entry
    for entry in entries:
        if entry.suffix.lower() in PICKLE_SUFFIXES and entry.stem.lower() == name.lower():
            return entry  # found, so that loading can say why it is refused
    if given.exists():
        return given
    raise ModelLoadError(
        f"No ControlNet named {name!r}: put its .safetensors file or diffusers folder in "
        f"{folder}, or give its path."
    )
