"""The pane under the tree that explains the selected module."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QTextBrowser

from sdstudio.engine.modules import TreeNode, describe_node
from sdstudio.ui.model_browser.details_html import details_html

HINT_HEIGHT = 200
PLACEHOLDER = "Select a module to see its tensors, shapes and what it does."


class ModuleDetailsPane(QTextBrowser):
    def __init__(self, parent: Any = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.setOpenLinks(False)
        self.setPlaceholderText(PLACEHOLDER)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Room for a module's facts and the start of its explanation; the splitter above
        (``modelBrowserSplitter``) gives it more, or less, at the reader's wish."""
        return QSize(super().sizeHint().width(), HINT_HEIGHT)

    def show_node(self, node: TreeNode | None) -> None:
        if node is None:
            self.clear()
        else:
            self.setHtml(details_html(describe_node(node)))
