"""A typed size that is not a multiple of 8 is rounded, and the size row says so."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from sdstudio.ui.size_row import SizeRow


@pytest.fixture
def row(qtbot) -> SizeRow:
    widget = SizeRow()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_side(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_typing_500_says_it_became_496(row, qtbot) -> None:
    note = row.findChild(QLabel, "sizeSnapNote")
    assert not note.isVisible()

    type_side(qtbot, row.width_spin, "500")

    assert row.dimensions() == (496, 512)
    assert note.isVisible()
    assert note.text() == "Width 500 → 496 (a multiple of 8)"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_note_names_the_side_and_goes_when_the_size_changes(row, qtbot) -> None:
    note = row.snap_note
    type_side(qtbot, row.height_spin, "30")
    assert row.dimensions() == (512, 64)
    assert note.isVisible() and note.text() == "Height 30 → 64 (the smallest side)"

    row.swap()

    assert not note.isVisible()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_multiple_of_eight_is_taken_without_a_note(row, qtbot) -> None:
    type_side(qtbot, row.width_spin, "640")
    assert row.dimensions() == (640, 512)
    assert not row.snap_note.isVisible()
