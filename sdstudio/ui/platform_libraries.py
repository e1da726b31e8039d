"""The system libraries Qt's X11 (xcb) platform needs, checked before Qt loads.

On a minimal Linux, Qt finds its xcb plugin but not the ``libxcb-*`` libraries under it, prints
"Could not load the Qt platform plugin" with advice about reinstalling and aborts with a core
dump. Checking the libraries first turns that into one line saying which are missing and the
command that installs them. Pure Python: it runs before PySide6 is imported, because some of
these libraries are needed to import QtGui at all.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

Loader = Callable[[str], bool]  # True when the shared library of that soname can be loaded


@dataclass(frozen=True)
class PlatformLibrary:
    """One shared library by its soname and the packages that install it."""

    soname: str
    debian: str  # Debian and Ubuntu
    fedora: str


# What libqxcb.so, libQt6XcbQpa, QtGui and QtWidgets link against (readelf -d), less what
# PySide6 ships itself and what every system has (libc, libstdc++, zlib).
XCB_LIBRARIES: tuple[PlatformLibrary, ...] = (
    PlatformLibrary("libxcb.so.1", "libxcb1", "libxcb"),
    PlatformLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    PlatformLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    PlatformLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    PlatformLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    PlatformLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    PlatformLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    PlatformLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    PlatformLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    PlatformLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    PlatformLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    PlatformLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    PlatformLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    PlatformLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    PlatformLibrary("libX11.so.6", "libx11-6", "libX11"),
    PlatformLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    PlatformLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    PlatformLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    PlatformLibrary("libEGL.so.1", "libegl1", "mesa-libEGL"),
    PlatformLibrary("libGL.so.1", "libgl1", "mesa-libGL"),
    PlatformLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    PlatformLibrary("libfreetype.so.6", "libfreetype6", "freetype"),
    PlatformLibrary("libglib-2.0.so.0", "libglib2.0-0", "glib2"),
    PlatformLibrary("libgthread-2.0.so.0", "libglib2.0-0", "glib2"),
)


def uses_xcb(environ: Mapping[str, str], system: str) -> bool:
    """Whether Qt will open the window through xcb (X11), so its libraries must be there.

    Only on Linux with a ``DISPLAY``; an explicit ``QT_QPA_PLATFORM`` other than xcb (offscreen,
    wayland, a fallback list) decides for itself, and a Wayland session tries Wayland first.
    """
    if system != "Linux" or not environ.get("DISPLAY"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(":", 1)[0].strip().lower() == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def can_load(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` (as Qt will), or PySide6 ships it."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return _shipped_with_pyside(soname)
    return True


def _shipped_with_pyside(soname: str) -> bool:
    spec = importlib.util.find_spec("PySide6")  # finds the folder without importing Qt
    folders = spec.submodule_search_locations if spec is not None else None
    return any((Path(folder) / "Qt" / "lib" / soname).is_file() for folder in folders or ())


def missing_libraries(
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
    loader: Loader | None = None,
) -> list[PlatformLibrary]:
    """The xcb libraries that cannot be loaded; empty when xcb will not be used."""
    environ = os.environ if environ is None else environ
    system = platform.system() if system is None else system
    if not uses_xcb(environ, system):
        return []
    loader = can_load if loader is None else loader
    return [library for library in XCB_LIBRARIES if not loader(library.soname)]


def missing_libraries_message(missing: list[PlatformLibrary]) -> str:
    """One line: what is missing, and the apt-get and dnf commands that install it."""
    debian = " ".join(dict.fromkeys(library.debian for library in missing))
    fedora = " ".join(dict.fromkeys(library.fedora for library in missing))
    names = ", ".join(library.soname for library in missing)
    return (
        f"sdstudio: the window cannot open: Qt's X11 platform needs system libraries that are "
        f"missing: {names}. Install them with 'sudo apt-get install {debian}' (Debian, Ubuntu) "
        f"or 'sudo dnf install {fedora}' (Fedora)."
    )


def platform_libraries_problem(
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
    loader: Loader | None = None,
) -> str | None:
    """The message to print instead of opening the window, or None when nothing is missing."""
    missing = missing_libraries(environ, system, loader)
    return missing_libraries_message(missing) if missing else None
