"""The window's first size and a saved geometry's fitting, for screens of every size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize

from sdstudio.ui.window_fit import (
    FRAME_ALLOWANCE,
    centred,
    first_start_size,
    fitted_geometry,
    side_dock_width,
    smallest_size,
)


@pytest.mark.parametrize(
    ("screen", "expected"),
    [
        (QSize(1366, 768), QSize(1280, 728)),  # a laptop: comfortable width, all the height
        (QSize(1280, 720), QSize(1272, 680)),  # smaller still: the whole free area
        (QSize(1920, 1080), QSize(1680, 972)),  # 90 %, and no wider than comfortable
        (QSize(2560, 1440), QSize(1680, 1050)),  # a large screen: capped
        (QSize(800, 600), QSize(792, 560)),
    ],
)
def test_the_first_window_fits_the_screen_with_its_frame(screen, expected) -> None:
    size = first_start_size(screen)

    assert size == expected
    framed = size + FRAME_ALLOWANCE
    assert framed.width() <= screen.width() and framed.height() <= screen.height()


def test_the_minimum_never_exceeds_a_small_screen() -> None:
    assert smallest_size(QSize(1366, 768)) == QSize(760, 520)
    assert smallest_size(QSize(640, 480)) == QSize(632, 440)


def test_the_first_window_stands_in_the_middle_of_the_free_area() -> None:
    available = QRect(0, 28, 1366, 740)  # a panel at the top

    rect = centred(QSize(1280, 700), available)

    assert (rect.x(), rect.y()) == (43, 48)
    assert available.contains(rect)


def test_a_saved_geometry_that_fits_stays_as_it_was() -> None:
    saved = QRect(100, 80, 900, 600)

    assert fitted_geometry(saved, QRect(0, 0, 1366, 768)) == saved


def test_a_window_saved_on_a_large_monitor_is_fitted_into_a_laptop_screen() -> None:
    saved = QRect(300, 200, 1800, 1000)  # from a 2560×1440 monitor
    available = QRect(0, 0, 1366, 768)

    fitted = fitted_geometry(saved, available)

    assert fitted == QRect(0, 0, 1366 - FRAME_ALLOWANCE.width(), 768 - FRAME_ALLOWANCE.height())


def test_a_window_saved_partly_off_screen_is_moved_back_keeping_its_size() -> None:
    available = QRect(0, 0, 1366, 768)

    fitted = fitted_geometry(QRect(-200, 500, 800, 500), available)

    assert fitted.size() == QSize(800, 500)
    assert fitted.x() == 0 and fitted.bottom() <= 768 - FRAME_ALLOWANCE.height()


def test_a_window_saved_on_a_second_screen_comes_onto_this_one() -> None:
    fitted = fitted_geometry(QRect(2000, 100, 900, 600), QRect(0, 0, 1366, 768))

    assert fitted.size() == QSize(900, 600)
    assert QRect(0, 0, 1366, 768).contains(fitted)


def test_the_side_dock_leaves_the_canvas_half_the_window() -> None:
    width = side_dock_width(1280, 464, spacing=12)

    assert width == 164
    assert 1280 - 464 - width - 12 >= 1280 / 2
    assert side_dock_width(900, 464) == 0  # no room: the dock gets its minimum
