"""Past outputs for the history view: saved images, newest first, without opening them."""

from __future__ import annotations

import os
from pathlib import Path

from sdstudio.engine.paths import outputs_dir

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def list_saved_images(
    root: str | os.PathLike[str] | None = None, limit: int | None = None
) -> list[Path]:
    """Images in ``root`` and its day folders, newest first (``outputs_dir()`` by default).

    Only file names and modification times are read, so listing thousands of outputs is quick;
    the caller loads thumbnails lazily. Ties (same mtime) put the higher number first; hidden
    files (such as the ``.saving-*`` of a save in progress) are left out.
    """
    folder = Path(root) if root is not None else outputs_dir()
    found: list[tuple[int, str, Path]] = []
    for directory in (folder, *_subfolders(folder)):
        found.extend(_images_in(directory))
    found.sort(reverse=True)
    paths = [path for _, _, path in found]
    return paths if limit is None else paths[:limit]


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []


def _images_in(directory: Path) -> list[tuple[int, str, Path]]:
    images: list[tuple[int, str, Path]] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or not name.lower().endswith(IMAGE_SUFFIXES):
                    continue
                try:
                    if entry.is_file():
                        images.append((entry.stat().st_mtime_ns, name, Path(entry.path)))
                except OSError:
                    continue  # deleted while listing
    except OSError:
        pass
    return images
