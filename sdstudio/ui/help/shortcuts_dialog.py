"""Keyboard shortcuts, read from the window's own actions so the list can never go stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _name(text: str) -> str:
    """A menu text as a name: no mnemonic ampersands, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _keys(sequences: list[QKeySequence]) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(seq.toString(native) for seq in sequences if not seq.isEmpty())


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """``(name, keys)`` for every action of ``window`` (menus, toolbars, docks) that has a
    shortcut, and every button with one (Cancel's Esc), sorted by name."""
    rows: set[tuple[str, str]] = set()
    for action in window.findChildren(QAction):
        keys = _keys(action.shortcuts())
        if keys and action.text():
            rows.add((_name(action.text()), keys))
    for button in window.findChildren(QAbstractButton):
        keys = _keys([button.shortcut()])
        if keys and button.text():
            rows.add((_name(button.text()), keys))
    return sorted(rows, key=lambda row: (row[0].lower(), row[1]))


class ShortcutsDialog(QDialog):
    """``shortcutsDialog``: a two-column ``shortcutsTable`` (action, keys) of ``window``'s
    shortcuts as they are when it opens. No signals."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2, objectName="shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            keys_item = QTableWidgetItem(keys)
            keys_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, 1, keys_item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(420, 480)

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows, row by row."""
        return [
            (self.table.item(row, 0).text(), self.table.item(row, 1).text())
            for row in range(self.table.rowCount())
        ]
