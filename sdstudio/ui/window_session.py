"""What the window remembers between starts: control values, geometry and the dock layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from sdstudio.ui.controls_state import read_controls, write_controls
from sdstudio.ui.settings_store import SettingsStore

if TYPE_CHECKING:
    from sdstudio.ui.main_window import MainWindow

STATE_VERSION = 1  # bump when docks change so much that an old layout would look broken


class WindowSession(QObject):
    """Restores the window from ``settings`` now; :meth:`save` stores it again.

    The controls are also saved whenever a run starts, so a crash loses nothing the user
    ran with. Docks added after the restore get their place back through
    ``QMainWindow.restoreDockWidget`` (the window calls it for each new dock).
    """

    def __init__(self, window: MainWindow, settings: SettingsStore) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        values = settings.control_values()
        if values is not None:
            write_controls(window.controls, values)
        geometry = settings.window_geometry
        if not geometry.isEmpty():
            window.restoreGeometry(geometry)
        state = settings.window_state
        if not state.isEmpty():
            window.restoreState(state, STATE_VERSION)
        window.worker.started.connect(self.save_controls)

    @Slot()
    def save_controls(self) -> None:
        self._settings.set_control_values(read_controls(self._window.controls))
        self._settings.sync()

    def save(self) -> None:
        """Store the controls, the geometry and the docks (call before the window closes)."""
        self._settings.window_geometry = self._window.saveGeometry()
        self._settings.window_state = self._window.saveState(STATE_VERSION)
        self.save_controls()
