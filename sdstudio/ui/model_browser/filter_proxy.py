"""Filtering the module tree by name or type; a match keeps its ancestors visible."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt

from sdstudio.ui.model_browser.tree_model import SearchTextRole


class ModuleFilterProxy(QSortFilterProxyModel):
    """Case-insensitive substring match on ``"name type"``.

    Recursive filtering keeps the path down to every match; children of a match stay
    visible too, so filtering for ``Attention`` still lets you open one and see ``to_k``.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterRole(SearchTextRole)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter_text(self, text: str) -> None:
        self._needle = text.strip()
        self.setFilterFixedString(self._needle)

    def filtering(self) -> bool:
        return bool(self._needle)

    def matches(self, source_index: QModelIndex) -> bool:
        """True when the source row itself matches (not only a row below it, nor above)."""
        text = source_index.data(SearchTextRole) or ""
        return bool(self._needle) and self._needle.casefold() in text.casefold()
