"""Before Qt loads, a Linux without the xcb libraries gets one line saying what to install."""

from __future__ import annotations

import pytest

from sdstudio.cli import main
from sdstudio.ui import platform_libraries
from sdstudio.ui.platform_libraries import XCB_LIBRARIES, missing_libraries, uses_xcb

X11 = {"DISPLAY": ":0"}
MISSING = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libEGL.so.1"}


def without(*absent: str):
    """A loader that finds every library except ``absent``; it remembers what it was asked."""
    asked: list[str] = []

    def loader(soname: str) -> bool:
        asked.append(soname)
        return soname not in absent

    loader.asked = asked  # type: ignore[attr-defined]
    return loader


def test_the_message_names_exactly_the_missing_libraries_and_their_packages() -> None:
    problem = platform_libraries.platform_libraries_problem(X11, "Linux", without(*MISSING))
    assert problem is not None
    assert "\n" not in problem
    named = {library.soname for library in XCB_LIBRARIES if library.soname in problem}
    assert named == MISSING
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libegl1" in problem
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms mesa-libEGL" in problem


def test_packages_that_hold_several_missing_libraries_are_named_once() -> None:
    absent = ("libxcb-randr.so.0", "libxcb-shape.so.0")
    problem = platform_libraries.platform_libraries_problem(X11, "Linux", without(*absent))
    assert "'sudo dnf install libxcb' (Fedora)" in problem
    assert "'sudo apt-get install libxcb-randr0 libxcb-shape0' (Debian, Ubuntu)" in problem


def test_with_every_library_present_there_is_nothing_to_say() -> None:
    loader = without()
    assert platform_libraries.platform_libraries_problem(X11, "Linux", loader) is None
    assert set(loader.asked) == {library.soname for library in XCB_LIBRARIES}


@pytest.mark.parametrize(
    ("environ", "system"),
    [
        ({"DISPLAY": ":0"}, "Windows"),
        ({"DISPLAY": ":0"}, "Darwin"),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "Linux"),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "Linux"),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "Linux"),  # Wayland is tried first
        ({}, "Linux"),  # no X server: Qt's own message about the display is the right one
    ],
)
def test_the_check_is_skipped_where_qt_will_not_use_xcb(environ, system) -> None:
    loader = without(*MISSING)
    assert missing_libraries(environ, system, loader) == []
    assert loader.asked == []  # nothing was even looked for


@pytest.mark.parametrize(
    "environ",
    [
        {"DISPLAY": ":0"},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "XCB:dpi=96"},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"},
    ],
)
def test_x11_sessions_and_an_explicit_xcb_are_checked(environ) -> None:
    assert uses_xcb(environ, "Linux")


def test_sdstudio_prints_one_line_and_exits_1_instead_of_opening_the_window(
    monkeypatch, capsys
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(platform_libraries.platform, "system", lambda: "Linux")
    monkeypatch.setattr(platform_libraries, "can_load", without(*MISSING))
    assert main([]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("sdstudio: the window cannot open")
    assert {library.soname for library in XCB_LIBRARIES if library.soname in line} == MISSING


def test_the_real_loader_finds_a_library_every_linux_has_and_not_an_invented_one() -> None:
    if platform_libraries.platform.system() != "Linux":
        pytest.skip("sonames are Linux's")
    assert platform_libraries.can_load("libc.so.6")
    assert not platform_libraries.can_load("libsdstudio-no-such-library.so.7")
