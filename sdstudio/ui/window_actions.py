"""The window's menus and toolbar: file (open, paste, save), view (zoom, compare, panels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

if TYPE_CHECKING:
    from sdstudio.ui.main_window import MainWindow


class WindowActions(QObject):
    """Builds the menu bar and toolbar of ``window``; other parts add to ``file_menu``,
    ``view_menu`` and ``panels_menu``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.open = self._action("Open Init Image…", QKeySequence.StandardKey.Open)
        self.open.triggered.connect(window.choose_init_image)
        self.paste = self._action("Paste Init Image", QKeySequence.StandardKey.Paste)
        self.paste.triggered.connect(window.init_images.paste)
        self.clear_init = self._action("Clear Init Image")
        self.clear_init.triggered.connect(window.init_images.clear)
        self.save_as = self._action("Save Image As…", QKeySequence.StandardKey.Save)
        self.save_as.triggered.connect(window.choose_save_path)
        self.quit = self._action("Quit", QKeySequence.StandardKey.Quit)
        self.quit.triggered.connect(window.close)
        self.fit = self._action("Fit", "Ctrl+0")
        self.fit.setToolTip("Fit the image in the view (Ctrl+0)")
        self.fit.triggered.connect(window.canvas.fit_to_view)
        self.actual_size = self._action("100 %", "Ctrl+1")
        self.actual_size.setToolTip("Show the image at its real size (Ctrl+1)")
        self.actual_size.triggered.connect(window.canvas.actual_size)
        self.compare = self._action("Compare", "Ctrl+K")
        self.compare.setObjectName("compareAction")
        self.compare.setCheckable(True)
        self.compare.setEnabled(False)
        self.compare.setToolTip("Flip between the init image and the result (Ctrl+K)")
        self.compare.toggled.connect(window.show_init_for_compare)
        for action in (self.open, self.paste, self.save_as, self.quit, self.fit):
            window.addAction(action)  # shortcuts work even with the menu bar hidden

        menu_bar = window.menuBar()
        self.file_menu = menu_bar.addMenu("&File")
        self.file_menu.addActions([self.open, self.paste, self.clear_init])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.save_as)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit)
        self.view_menu = menu_bar.addMenu("&View")
        self.view_menu.addActions([self.fit, self.actual_size, self.compare])
        self.view_menu.addSeparator()
        self.panels_menu: QMenu = self.view_menu.addMenu("Panels")

        self.toolbar = QToolBar("Image", window, objectName="imageToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.open, self.paste])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.fit, self.actual_size, self.compare])
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        for dock in window.findChildren(QDockWidget):
            self.add_dock_toggle(dock)

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | str | None = None) -> QAction:
        action = QAction(text, self.parent())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def add_dock_toggle(self, dock: QDockWidget) -> None:
        self.panels_menu.addAction(dock.toggleViewAction())
