"""Checking before a run that its images can be saved where the job says: a file where a folder
should be, a folder where the file should be, a read-only folder or a full disk is refused
before minutes of work rather than reported after them.

The check tries what the save will do: it creates and removes a hidden temporary file in the
folder (or, when the folder does not exist yet, in the nearest folder above it, where the save
will create it), which also answers for permissions the process's user bypasses (root) or that
only the file system knows (a read-only mount). A disk that fills during the run is handled
when saving (the image is kept elsewhere, see :mod:`.save_fallback`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.jobs.job import SaveOptions
from sdstudio.engine.metadata import default_output_dir
from sdstudio.engine.metadata.save_temporaries import new_temporary, remove_stale_temporaries

_BYTES_PER_PIXEL = 3  # an RGB PNG is at most about its raw size


class SaveDestinationError(UserFacingError):
    """The images of a job could not be saved where it says."""


def check_save_destination(saving: SaveOptions, width: int, height: int) -> None:
    """Raise :class:`SaveDestinationError` with a message unless an image of ``width`` ×
    ``height`` can be saved as ``saving`` says. Old ``.saving-*`` leftovers of a killed
    process are removed from the folder on the way."""
    if not saving.enabled:
        return
    try:
        if saving.file is not None:
            target = Path(saving.file).expanduser()
            if target.is_dir():
                raise SaveDestinationError(f"Cannot save the image as {target}: it is a folder")
            folder = target.parent
        elif saving.output_dir is not None:
            folder = Path(saving.output_dir).expanduser()
        else:
            folder = default_output_dir()
        _check_folder(folder, width * height * _BYTES_PER_PIXEL)
    except OSError as error:  # the home folder itself, or a path we may not even look at
        where = f" in {error.filename}" if error.filename else ""
        raise SaveDestinationError(f"Cannot save images{where}: {_reason(error)}") from error


def _check_folder(folder: Path, image_bytes: int) -> None:
    existing = folder
    while not existing.exists():  # the save creates the folders that are missing
        existing = existing.parent
    if not existing.is_dir():
        raise SaveDestinationError(
            f"Cannot save images in {folder}: {existing} is a file, not a folder"
        )
    if existing == folder:
        remove_stale_temporaries(folder)
    try:
        handle, probe = new_temporary(existing)
        os.close(handle)
        probe.unlink()
    except OSError as error:
        raise SaveDestinationError(f"Cannot save images in {folder}: {_reason(error)}") from error
    free = shutil.disk_usage(existing).free
    if free < image_bytes:
        raise SaveDestinationError(
            f"Cannot save images in {folder}: its disk has {_size(free)} free, and an "
            f"image needs up to {_size(image_bytes)}"
        )


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _size(count: int) -> str:
    if count >= 1e9:
        return f"{count / 1e9:.1f} GB"
    if count >= 1e6:
        return f"{count / 1e6:.1f} MB"
    return f"{count / 1e3:.0f} kB"
