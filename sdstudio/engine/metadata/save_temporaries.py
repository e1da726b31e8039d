"""The hidden ``.saving-*`` file an atomic save writes first: made with the mode the user's
umask asks for, and cleared away when a killed process left one behind.

A save writes the whole PNG to ``.saving-XXXX.png`` in the target folder, then gives it its
final name. A process killed in between leaves the temporary file behind; the next save in
that folder (and the check before a run) removes such leftovers, but only those untouched for
:data:`STALE_AFTER_S` seconds. A save in progress writes its temporary file continuously and
names it moments after the last write, so a file that old belongs to no save any more, while a
younger one may be another process's save in progress and is left alone.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

TEMP_PREFIX = ".saving-"
TEMP_SUFFIX = ".png"
STALE_AFTER_S = 60.0
_NEW_FILE_MODE = 0o666  # what open() asks for; the umask takes away from it


def new_temporary(folder: Path) -> tuple[int, Path]:
    """An open handle and the path of a new, empty hidden file in ``folder``."""
    handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    return handle, Path(name)


def give_default_mode(path: Path) -> None:
    """``mkstemp`` makes files only their owner may read (0600); a saved picture should be
    like any file the user creates (0644 under umask 022)."""
    os.chmod(path, _NEW_FILE_MODE & ~current_umask())


def current_umask() -> int:
    """The process's umask. Linux reports it in ``/proc``; elsewhere it is read by setting it
    and putting it back, the only portable way (it changes for every thread for a moment)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the ``.saving-*.png`` files of ``folder`` older than :data:`STALE_AFTER_S`;
    returns them. Never raises: a folder that cannot be read or a file that cannot be removed
    is left as it is, the save itself reports real problems."""
    cutoff = (time.time() if now is None else now) - STALE_AFTER_S
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not (entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX)):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                        continue  # perhaps another process's save in progress
                    os.unlink(entry.path)
                except OSError:
                    continue
                removed.append(Path(entry.path))
    except OSError:
        pass
    return removed
