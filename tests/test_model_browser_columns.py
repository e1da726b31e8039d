"""The module tree's columns in the width they get: numbers whole, the name stretched (cut
in the middle only where it must be), Details where it fits, a dragged column kept, and the
browser popped out as a window of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QToolButton

from sdstudio.ui.model_browser import Column, ModelBrowserDock

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def shown(qtbot, demo_model) -> Iterator[ModelBrowserDock]:
    dock = ModelBrowserDock()
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.shapes_ready, timeout=20_000):
        dock.set_pipeline(demo_model.pipeline, shapes_for=(512, 512), label="demo")
    dock.resize(440, 700)  # the dock's width on a 1366×768 laptop's first start
    dock.show()
    qtbot.waitExposed(dock)
    dock.expand_to_depth(2)
    yield dock
    dock.shutdown()


def whole(view, column: Column) -> bool:
    return view.header().sectionSize(column) >= view.sizeHintForColumn(column)


def test_a_narrow_tree_keeps_numbers_whole_and_shows_details_once_wide(qtbot, shown) -> None:
    view, header = shown.tree_view(), shown.tree_view().header()
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0)  # laid out

    assert view.isColumnHidden(Column.DETAILS)
    assert whole(view, Column.PARAMETERS) and whole(view, Column.OUTPUT_SHAPE)
    assert header.sectionResizeMode(Column.NAME) == QHeaderView.ResizeMode.Stretch
    right = Qt.AlignmentFlag.AlignRight
    assert view.model().index(0, Column.PARAMETERS).data(Qt.ItemDataRole.TextAlignmentRole) & right

    shown.resize(1300, 700)
    qtbot.waitUntil(lambda: not view.isColumnHidden(Column.DETAILS))
    assert all(whole(view, column) for column in Column)
    assert view.horizontalScrollBar().maximum() == 0

    shown.resize(440, 700)
    qtbot.waitUntil(lambda: view.isColumnHidden(Column.DETAILS))
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0)


def test_a_column_the_user_drags_keeps_its_width(qtbot, shown) -> None:
    view = shown.tree_view()
    header = view.header()
    header.resizeSection(Column.TYPE, 180)  # as a drag of its edge does

    shown.expand_to_depth(3)
    qtbot.wait(50)  # the columns are fitted once the expanding is done

    assert header.sectionSize(Column.TYPE) == 180
    assert whole(view, Column.PARAMETERS) and whole(view, Column.OUTPUT_SHAPE)


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
def test_pop_out_floats_the_browser_at_most_of_the_screen_and_puts_it_back(qtbot, shown) -> None:
    window = QMainWindow()
    window.setCentralWidget(QLabel("canvas"))
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, shown)
    window.show()
    qtbot.waitExposed(window)
    try:
        check_pop_out(window, shown)
    finally:  # the dock outlives the window: the fixture shuts it down
        window.removeDockWidget(shown)
        shown.setParent(None)
        window.close()
        window.deleteLater()


def check_pop_out(window: QMainWindow, shown: ModelBrowserDock) -> None:
    docked = shown.width()
    action = shown.findChild(QAction, "browserPopOutAction")
    button = shown.findChild(QToolButton, "browserPopOutButton")
    assert action is shown.pop_out_action() and button.defaultAction() is action

    action.trigger()
    free = (shown.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    assert shown.isFloating() and action.isChecked() and action.text() == "Put Back"
    assert shown.width() >= 0.75 * free.width() and shown.height() >= 0.75 * free.height()
    assert free.contains(shown.geometry())

    action.trigger()
    assert not shown.isFloating() and not action.isChecked() and action.text() == "Pop Out"
    assert window.dockWidgetArea(shown) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert shown.width() < 0.75 * free.width() and docked < 0.75 * free.width()
    shown.setFloating(True)  # its title bar's float button: the action follows
    assert action.isChecked() and action.text() == "Put Back"
