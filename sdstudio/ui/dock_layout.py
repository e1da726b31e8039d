"""Where the docks stand on a first start, so the canvas keeps at least half the window.

On a 1366×768 laptop the settings alone take a third of the width, so everything that is
looked at now and then (LoRAs, ControlNet, the queue, the model browser, activations,
attention) waits as a tab behind them, each with the full height, the tabs' names running
down the left edge (on a 768-pixel screen the seventh is a little past the end, reached by
the tab bar's scroll arrows). The right-hand side holds only the History, slim enough to
leave the canvas its half. A saved layout replaces all of this (see ``window_session.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QTabWidget

from sdstudio.ui.window_fit import side_dock_width

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
SIDE_WIDTH = 300  # two columns of history thumbnails, when the window has room for them
TABS_AT = QTabWidget.TabPosition.West


def tab_behind(window: QMainWindow, front: QDockWidget, others: Sequence[QDockWidget]) -> None:
    """Put ``others`` as tabs after ``front`` (in their order), in ``front``'s area, whose
    tabs run down its outer edge; ``front`` stays in front."""
    area = window.dockWidgetArea(front)
    window.setTabPosition(area, TABS_AT)
    for dock in others:
        if window.dockWidgetArea(dock) != area:
            window.addDockWidget(area, dock)
        window.tabifyDockWidget(front, dock)
    front.raise_()


def keep_canvas_wide(window: QMainWindow, left: QDockWidget, side: QDockWidget) -> int:
    """Give ``left`` (the front of a tab group) its narrowest width and ``side`` what is
    left once the canvas has half the window, at most :data:`SIDE_WIDTH`; returns the width
    given to ``side``."""
    left_width = max(left.minimumSizeHint().width(), left.widget().minimumWidth())
    tabs = _tab_bar_width(left.windowTitle()) if window.tabifiedDockWidgets(left) else 0
    width = min(SIDE_WIDTH, side_dock_width(window.width(), left_width + tabs))
    width = max(width, side.minimumSizeHint().width())
    window.resizeDocks([left, side], [left_width, width], Qt.Orientation.Horizontal)
    return width


def give_canvas_half(window: QMainWindow) -> bool:
    """Narrow the docks beside the canvas when a restored layout (saved on a wider screen)
    leaves it less than half the window: each side gives up width in proportion to what it
    has above its minimum. True if it had to."""
    central = window.centralWidget()
    lack = (window.width() + 1) // 2 - central.width() if central is not None else 0
    if lack <= 0:
        return False
    widest: dict[Qt.DockWidgetArea, QDockWidget] = {}  # one dock stands for its side
    for dock in window.findChildren(QDockWidget):
        area = window.dockWidgetArea(dock)
        shown = dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty()
        wider = area not in widest or dock.width() > widest[area].width()
        if shown and area in (LEFT, RIGHT) and wider:
            widest[area] = dock
    docks = list(widest.values())
    spare = [max(0, dock.width() - dock.minimumSizeHint().width()) for dock in docks]
    total = sum(spare)
    if not total:
        return False
    given = min(lack, total)
    # Rounded up, so the shares add up to at least what the canvas lacks.
    shares = [min(each, -(-given * each // total)) for each in spare]
    widths = [dock.width() - share for dock, share in zip(docks, shares, strict=True)]
    window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
    return True


def _tab_bar_width(title: str) -> int:
    """How much width tabs at :data:`TABS_AT` take (the window lays its own out only when
    shown, so measure one like it)."""
    bar = QTabBar()
    bar.setShape(QTabBar.Shape.RoundedWest)
    bar.addTab(title)
    width = bar.sizeHint().width()
    bar.deleteLater()
    return width
