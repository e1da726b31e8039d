"""Bringing the History's dock to the front when a new result arrives, without stealing
the keyboard from whoever is typing."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget


def bring_dock_forward(widget: QWidget) -> bool:
    """Raise the dock that holds ``widget`` when it waits behind another tab; True if it
    did. It stays behind while the keyboard focus is in a dock of its tab group: raising
    would hide the field being typed in."""
    dock = _enclosing_dock(widget)
    window = dock.parentWidget() if dock is not None else None
    if dock is None or not isinstance(window, QMainWindow) or dock.isFloating():
        return False
    group = window.tabifiedDockWidgets(dock)
    if not group or not dock.visibleRegion().isEmpty():
        return False  # not tabbed, or already in front
    focus = QApplication.focusWidget()
    if focus is not None and any(other.isAncestorOf(focus) for other in group):
        return False
    dock.raise_()
    return True


def _enclosing_dock(widget: QWidget) -> QDockWidget | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent
