"""What a front end offers as upscalers: Pillow's two, then every model file in the folder
with the scale and architecture spandrel finds in it.

A file that cannot be used (a pickle that would run code, an architecture spandrel does not
know) is listed with the reason, so that the user learns why it is not offered rather than
wondering where it went. What a file holds is remembered while the file is unchanged, so
listing again reads nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.upscalers.model_files import upscaler_files
from sdstudio.engine.upscalers.pixel_upscalers import PILLOW_UPSCALERS
from sdstudio.engine.upscalers.upscaler_model import load_upscaler_model

PILLOW_ARCHITECTURE = "Pillow"

_lock = threading.Lock()
_known: dict[tuple[str, int, int], UpscalerInfo] = {}


@dataclass(frozen=True)
class UpscalerInfo:
    """One upscaler as a list shows it. ``scale`` is a model's own factor (``None`` for
    Pillow's, which reach any size at once); ``problem`` says why a file cannot be used."""

    name: str
    architecture: str
    scale: int | None = None
    path: Path | None = None
    problem: str | None = None

    @property
    def usable(self) -> bool:
        return self.problem is None


def available_upscalers(folder: Path | None = None) -> list[UpscalerInfo]:
    """Lanczos, Nearest, then the models in ``folder`` (the upscalers folder) by name."""
    pillow = [UpscalerInfo(name, PILLOW_ARCHITECTURE) for name in PILLOW_UPSCALERS]
    return [*pillow, *(_info(path) for path in upscaler_files(folder))]


def _info(path: Path) -> UpscalerInfo:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        known = _known.get(key)
    if known is not None:
        return known
    try:
        model = load_upscaler_model(path)
        info = UpscalerInfo(path.stem, model.architecture, model.scale, path)
    except UserFacingError as error:
        info = UpscalerInfo(path.stem, "?", None, path, str(error))
    with _lock:
        _known[key] = info
    return info
