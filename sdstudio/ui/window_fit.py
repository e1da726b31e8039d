"""How big the window opens and where it may stand: always inside the screen's free area.

Pure functions of rectangles, so the arithmetic is tested without a screen of each size.
A laptop's 1366×768 is the smallest screen the layout is made for.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

COMFORTABLE = QSize(1280, 800)  # what the window asks for when the screen has room
LARGEST = QSize(1680, 1050)  # beyond this a first window just spreads its docks out
SCREEN_SHARE = 0.9  # of a large screen's free area
# A window manager adds a title bar and borders around the size we ask for; ask for less
# so the whole frame fits (the frame is unknown until the window is shown).
FRAME_ALLOWANCE = QSize(8, 40)
SMALLEST = QSize(760, 520)  # the settings, a usable canvas and a slim history still fit


def first_start_size(available: QSize) -> QSize:
    """The window's size on a first start: :data:`SCREEN_SHARE` of ``available`` (the
    screen's free area), at least :data:`COMFORTABLE` and at most :data:`LARGEST`, and never
    more than ``available`` less the frame."""
    room = available - FRAME_ALLOWANCE
    wanted = QSize(
        round(available.width() * SCREEN_SHARE), round(available.height() * SCREEN_SHARE)
    )
    return wanted.expandedTo(COMFORTABLE).boundedTo(LARGEST).boundedTo(room)


def smallest_size(available: QSize) -> QSize:
    """The window's minimum: :data:`SMALLEST`, unless the screen is smaller still."""
    return SMALLEST.boundedTo(available - FRAME_ALLOWANCE)


def centred(size: QSize, available: QRect) -> QRect:
    """A rectangle of ``size`` in the middle of ``available``."""
    rect = QRect(available.topLeft(), size)
    rect.moveCenter(available.center())
    return rect


def fitted_geometry(geometry: QRect, available: QRect) -> QRect:
    """``geometry`` (a saved window's, frame excluded) moved and shrunk just enough to lie
    inside ``available`` with room for the frame; unchanged when it already does."""
    room = QRect(
        available.x(),
        available.y(),
        available.width() - FRAME_ALLOWANCE.width(),
        available.height() - FRAME_ALLOWANCE.height(),
    )
    if room.contains(geometry):
        return QRect(geometry)
    size = geometry.size().boundedTo(room.size())
    x = min(max(geometry.x(), room.left()), room.right() + 1 - size.width())
    y = min(max(geometry.y(), room.top()), room.bottom() + 1 - size.height())
    return QRect(x, y, size.width(), size.height())


def side_dock_width(window_width: int, left_width: int, spacing: int = 12) -> int:
    """The widest the right-hand dock may be so the canvas keeps at least half of
    ``window_width`` beside a left dock of ``left_width`` (``spacing``: the separators)."""
    return max(0, window_width // 2 - left_width - spacing)
