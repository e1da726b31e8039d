"""The upscaler model files a user has, and finding one by the name or path given.

They live in ``SDSTUDIO_HOME/models/upscalers`` (A1111 spreads them over ``models/ESRGAN``,
``models/RealESRGAN``...; spandrel tells the architectures apart, so one folder is enough), as
``.safetensors``, ``.pth`` or ``.pt`` files. A name is a file's stem or full name, matched
without regard to case; when two files share a stem the ``.safetensors`` one wins, since it
holds nothing but weights.
"""

from __future__ import annotations

from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.paths import upscalers_dir
from sdstudio.engine.upscalers.pixel_upscalers import PILLOW_UPSCALERS

MODEL_SUFFIXES = (".safetensors", ".pth", ".pt")  # in order of preference for one stem


def upscaler_files(folder: Path | None = None) -> list[Path]:
    """The model files in ``folder`` (the upscalers folder), one per stem, sorted by name."""
    folder = folder or upscalers_dir()
    by_stem: dict[str, Path] = {}
    for entry in sorted(folder.iterdir(), key=_preference):
        if entry.is_file() and entry.suffix.lower() in MODEL_SUFFIXES:
            by_stem.setdefault(entry.stem.lower(), entry)
    return sorted(by_stem.values(), key=lambda path: path.name.lower())


def find_upscaler_file(spec: str) -> Path:
    """The model file ``spec`` names: a name in the upscalers folder, else an existing file's
    path; a :class:`ModelLoadError` listing the known upscalers when there is none."""
    given = Path(spec).expanduser()
    if given.name != spec and given.is_file():  # a path, not a bare name
        return given
    wanted = spec.strip().lower()
    for path in upscaler_files():
        if wanted in (path.stem.lower(), path.name.lower()):
            return path
    if given.is_file():
        return given
    known = [*PILLOW_UPSCALERS, *(path.stem for path in upscaler_files())]
    raise ModelLoadError(
        f"No upscaler named {spec!r}. Known: {', '.join(known)}. Put model files "
        f"({', '.join(MODEL_SUFFIXES)}) in {upscalers_dir()}, or give a file's path."
    )


def _preference(path: Path) -> tuple[str, int]:
    suffix = path.suffix.lower()
    rank = MODEL_SUFFIXES.index(suffix) if suffix in MODEL_SUFFIXES else len(MODEL_SUFFIXES)
    return path.stem.lower(), rank
