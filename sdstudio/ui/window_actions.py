"""The window's menus and toolbar: file (open, paste, save, upscale, preferences), view (zoom,
compare, panels), help (about, shortcuts); Generate's shortcut."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QToolBar, QWidget


class WindowActions(QObject):
    """The actions (``open``, ``paste``, ``clear_init``, ``save_as``, ``upscale`` (the
    canvas's picture), ``upscalers`` (the list, for the owner to place in a menu),
    ``preferences``, ``quit``, ``fit``, ``actual_size``, ``compare``, ``generate`` (in no
    menu: its Ctrl+Enter works from any field), ``about``, ``shortcuts``), the File, View
    and Help menus added to ``menu_bar``, and ``toolbar`` (for the owner to place). Whoever
    owns the window connects the actions' ``triggered``/``toggled`` signals; other parts add
    to ``file_menu``, ``view_menu`` and ``panels_menu`` (:meth:`add_dock_toggle`).

    It emits no signals of its own: the QActions' signals are the interface.
    """

    def __init__(self, menu_bar: QMenuBar, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.open = self._action("Open Init Image…", QKeySequence.StandardKey.Open)
        self.paste = self._action("Paste Init Image", QKeySequence.StandardKey.Paste)
        self.clear_init = self._action("Clear Init Image")
        self.save_as = self._action("Save Image As…", QKeySequence.StandardKey.Save)
        self.upscale = self._action("Upscale…")
        self.upscale.setObjectName("upscaleAction")
        self.upscale.setToolTip("Upscale the picture on the canvas and save it beside the others")
        self.upscale.setEnabled(False)
        self.upscalers = self._action("Upscalers…")
        self.upscalers.setObjectName("upscalersAction")
        self.quit = self._action("Quit", QKeySequence.StandardKey.Quit)
        self.preferences = self._action("Preferences…", _preferences_keys())
        self.preferences.setObjectName("preferencesAction")
        self.preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.generate = self._action("Generate")
        self.generate.setObjectName("generateAction")
        self.generate.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.about = self._action("About sdstudio")
        self.about.setObjectName("aboutAction")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.shortcuts = self._action("Keyboard Shortcuts", QKeySequence.StandardKey.HelpContents)
        self.shortcuts.setObjectName("shortcutsAction")
        self.fit = self._action("Fit", "Ctrl+0")
        self.fit.setToolTip("Fit the image in the view (Ctrl+0)")
        self.actual_size = self._action("100 %", "Ctrl+1")
        self.actual_size.setToolTip("Show the image at its real size (Ctrl+1)")
        self.compare = self._action("Compare", "Ctrl+K")
        self.compare.setObjectName("compareAction")
        self.compare.setCheckable(True)
        self.compare.setEnabled(False)
        self.compare.setToolTip("Flip between the init image and the result (Ctrl+K)")
        # Added to the parent so their shortcuts work even with the menu bar hidden.
        parent.addActions([self.open, self.paste, self.save_as, self.quit, self.fit])
        parent.addActions([self.preferences, self.generate, self.shortcuts])

        self.file_menu = menu_bar.addMenu("&File")
        self.file_menu.addActions([self.open, self.paste, self.clear_init])
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.save_as, self.upscale])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.preferences)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit)
        self.view_menu = menu_bar.addMenu("&View")
        self.view_menu.addActions([self.fit, self.actual_size, self.compare])
        self.view_menu.addSeparator()
        self.panels_menu: QMenu = self.view_menu.addMenu("Panels")
        self.help_menu = menu_bar.addMenu("&Help")
        self.help_menu.setObjectName("helpMenu")
        self.help_menu.addActions([self.shortcuts, self.about])

        self.toolbar = QToolBar("Image", parent, objectName="imageToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.open, self.paste])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.fit, self.actual_size, self.compare])

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | str | None = None) -> QAction:
        action = QAction(text, self._parent)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def add_dock_toggle(self, dock: QDockWidget) -> None:
        """List ``dock`` under View ▸ Panels (its show/hide toggle)."""
        self.panels_menu.addAction(dock.toggleViewAction())


def _preferences_keys() -> QKeySequence.StandardKey | str:
    """The platform's Preferences shortcut; Ctrl+, where it has none (Windows, GNOME)."""
    standard = QKeySequence.StandardKey.Preferences
    return standard if QKeySequence.keyBindings(standard) else "Ctrl+,"
