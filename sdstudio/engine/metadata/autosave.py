"""Saving every finished image so that none is ever lost, overwritten or left half-written.

Files are named ``NNNNN-<seed>.png`` (numbers grow per folder, as in A1111) under
``outputs/<YYYY-MM-DD>/`` by default, or straight into a folder the user chose. An image is
first written in full to a hidden temporary file in the same folder, then given its final name
with a hard link, which (unlike a rename) fails if the name is already taken: two savers that
pick the same number at once cannot overwrite each other, the loser just takes the next number
(also across processes, with no lock file).
A crash at any point leaves at most a hidden ``.saving-*`` file, never a partial ``.png``; the
next save in that folder removes it once it is old enough (see :mod:`.save_temporaries`).
Saved files get the mode the user's umask asks for, as any file the user creates.
"""

from __future__ import annotations

import errno
import io
import os
import random
import re
import time
from datetime import date
from pathlib import Path

from PIL import Image, PngImagePlugin

from sdstudio.engine.metadata.png_chunks import png_info
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.save_temporaries import (
    give_default_mode,
    new_temporary,
    remove_stale_temporaries,
)
from sdstudio.engine.paths import outputs_dir

_NUMBERED = re.compile(r"(\d+)-")
_MAX_TRIES = 1000


def default_output_dir(day: date | None = None) -> Path:
    """``SDSTUDIO_HOME/outputs/<YYYY-MM-DD>`` for today (or ``day``)."""
    return outputs_dir() / (day or date.today()).isoformat()


def png_file(image: Image.Image, info: PngImagePlugin.PngInfo) -> bytes:
    """The PNG file saved for ``image`` with ``info``'s text chunks (Pillow's default
    compression). A server makes it for its client, which writes it as it is: the same file
    as a local run's, encoded once."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def save_generation(
    image: Image.Image, record: GenerationRecord, output_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Save one finished image with its parameters under a new number; returns its path."""
    return save_numbered(image, png_info(record), str(record.seed), output_dir)


def save_numbered(
    image: Image.Image,
    info: PngImagePlugin.PngInfo,
    tail: str,
    output_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """As :func:`save_generation`, with text chunks of the caller's, named ``NNNNN-<tail>.png``
    (an upscaled picture's ``<seed>-upscaled``)."""
    return save_numbered_file(png_file(image, info), tail, output_dir)


def save_numbered_file(
    data: bytes, tail: str, output_dir: str | os.PathLike[str] | None = None
) -> Path:
    """As :func:`save_numbered`, for a PNG file made already (:func:`png_file`)."""
    folder = Path(output_dir) if output_dir is not None else default_output_dir()
    if folder.is_file():  # mkdir would only say "File exists"
        raise NotADirectoryError(errno.ENOTDIR, "Not a folder", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(data, folder)
    try:
        return _claim_name(temp, folder, tail)
    finally:
        temp.unlink(missing_ok=True)


def save_png_to(image: Image.Image, record: GenerationRecord, path: str | os.PathLike[str]) -> Path:
    """Save to a file the user named (replacing it, as asked), still never half-written."""
    return save_png_with_info(image, png_info(record), path)


def save_png_with_info(
    image: Image.Image, info: PngImagePlugin.PngInfo, path: str | os.PathLike[str]
) -> Path:
    """As :func:`save_png_to`, with text chunks of the caller's (a grid's parameters)."""
    return save_file_to(png_file(image, info), path)


def save_file_to(data: bytes, path: str | os.PathLike[str]) -> Path:
    """As :func:`save_png_to`, for a PNG file made already (:func:`png_file`)."""
    target = Path(path)
    if target.is_dir():  # the rename would name the temporary file instead
        raise IsADirectoryError(errno.EISDIR, "A folder has that name", str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(data, target.parent)
    try:
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _write_temp(data: bytes, folder: Path) -> Path:
    """The finished PNG in a hidden file of ``folder``, flushed to disk; nothing on failure."""
    remove_stale_temporaries(folder)
    handle, temp = new_temporary(folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # the bytes are on disk before the name appears
        give_default_mode(temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def next_number(folder: Path) -> int:
    """One more than the highest ``NNNNN-`` number in ``folder`` (1 for an empty folder)."""
    highest = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                match = _NUMBERED.match(entry.name)
                if match:
                    highest = max(highest, int(match.group(1)))
    except FileNotFoundError:
        pass
    return highest + 1


def _claim_name(temp: Path, folder: Path, tail: str) -> Path:
    """Give ``temp`` the next free ``NNNNN-<tail>.png`` name without replacing any file.

    The link makes the full name exclusive; a number must be too, even under another seed. So
    after linking, a saver that sees another file with its number steps aside and tries the next
    one. Of two savers racing for one number at most one keeps it (the later to link always sees
    the earlier), and at worst both step aside, which leaves a gap but never a duplicate.
    """
    number = next_number(folder)
    for _ in range(_MAX_TRIES):
        target = folder / f"{number:05d}-{tail}.png"
        try:
            _link_no_replace(temp, target)
        except FileExistsError:
            pass
        else:
            if not _number_taken_by_another(folder, number, target.name):
                return target
            target.unlink()
            time.sleep(random.uniform(0, 0.005))  # break the symmetry of two racing savers
        number = max(number + 1, next_number(folder))
    raise OSError(f"Could not find a free file name in {folder}")


def _number_taken_by_another(folder: Path, number: int, own_name: str) -> bool:
    with os.scandir(folder) as entries:
        for entry in entries:
            match = _NUMBERED.match(entry.name)
            if match and int(match.group(1)) == number and entry.name != own_name:
                return True
    return False


def _link_no_replace(source: Path, target: Path) -> None:
    """Make ``target`` name ``source``'s complete content; FileExistsError if it exists."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        # File systems without hard links (FAT, some network shares): reserve the name with an
        # exclusive create, then move the finished file over the empty placeholder.
        with open(target, "xb"):
            pass
        os.replace(source, target)
