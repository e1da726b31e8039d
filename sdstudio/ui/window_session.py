"""What the window remembers between starts: control values, geometry and the dock layout."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMainWindow

from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import read_controls, write_controls
from sdstudio.ui.settings_store import SettingsStore

STATE_VERSION = 1  # bump when docks change so much that an old layout would look broken


class WindowSession(QObject):
    """Restores ``controls`` and ``window``'s geometry and docks from ``settings`` now;
    :meth:`save` stores them again.

    Connect :meth:`save_controls` to the start of a run, so a crash loses nothing the user
    ran with. Docks added after the restore get their place back through
    ``QMainWindow.restoreDockWidget`` (the window calls it for each new dock). No signals.
    """

    def __init__(
        self, settings: SettingsStore, controls: ControlsPanel, window: QMainWindow
    ) -> None:
        super().__init__(window)
        self._window = window
        self._controls = controls
        self._settings = settings
        values = settings.control_values()
        if values is not None:
            write_controls(controls, values)
        geometry = settings.window_geometry
        if not geometry.isEmpty():
            window.restoreGeometry(geometry)
        state = settings.window_state
        if not state.isEmpty():
            window.restoreState(state, STATE_VERSION)

    @Slot()
    def save_controls(self) -> None:
        self._settings.set_control_values(read_controls(self._controls))
        self._settings.sync()

    def save(self) -> None:
        """Store the controls, the geometry and the docks (call before the window closes)."""
        self._settings.window_geometry = self._window.saveGeometry()
        self._settings.window_state = self._window.saveState(STATE_VERSION)
        self.save_controls()
