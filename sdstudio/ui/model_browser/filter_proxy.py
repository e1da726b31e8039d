"""Filtering the module tree by name or type; a match keeps its ancestors visible."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from sdstudio.ui.model_browser.tree_model import SearchTextRole


class ModuleFilterProxy(QSortFilterProxyModel):
    """Case-insensitive substring match on ``"name type"``.

    Recursive filtering keeps the path down to every match; children of a match stay
    visible too, so filtering for ``Attention`` still lets you open one and see ``to_k``.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterRole(SearchTextRole)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter_text(self, text: str) -> None:
        self.setFilterFixedString(text.strip())
