"""The pane under the tree that explains the selected module."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QTextBrowser

from sdstudio.engine.modules import TreeNode, describe_node
from sdstudio.ui.model_browser.details_html import details_html

PLACEHOLDER = "Select a module to see its tensors, shapes and what it does."


class ModuleDetailsPane(QTextBrowser):
    def __init__(self, parent: Any = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.setOpenLinks(False)
        self.setPlaceholderText(PLACEHOLDER)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Ask for little height: the tree above needs it more; the splitter gives more."""
        return QSize(super().sizeHint().width(), 120)

    def show_node(self, node: TreeNode | None) -> None:
        if node is None:
            self.clear()
        else:
            self.setHtml(details_html(describe_node(node)))
