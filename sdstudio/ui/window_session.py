"""What the window remembers between starts: control values, geometry and the dock layout.

A saved geometry is fitted into the screen the window opens on now (a window saved on a
large monitor must not open past a laptop's edges), and saved docks are narrowed if they
would leave the canvas less than half the window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QMainWindow

from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import read_controls, write_controls
from sdstudio.ui.dock_layout import give_canvas_half
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.window_fit import fitted_geometry

# Bump when docks change so much that an old layout would look broken. 2: the secondary
# docks became tabs behind the settings, leaving the right-hand side to the History.
STATE_VERSION = 2


class WindowSession(QObject):
    """Restores ``controls`` and ``window``'s geometry (fitted into its screen) and docks
    (narrowed, once shown, to leave the canvas half the width) from ``settings`` now;
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
            if window.restoreGeometry(geometry):
                fit_into_screen(window)
            else:
                settings.drop_unrestorable("window/geometry", "window size")
        state = settings.window_state
        if not state.isEmpty():
            if window.restoreState(state, STATE_VERSION):
                # Docks have widths only once the window is laid out, after it is shown.
                QTimer.singleShot(0, self, self._fit_docks)
            else:
                settings.drop_unrestorable("window/state", "panel layout")

    @Slot()
    def _fit_docks(self) -> None:
        if self._window.isVisible():
            give_canvas_half(self._window)

    @Slot()
    def save_controls(self) -> None:
        self._settings.set_control_values(read_controls(self._controls))
        self._settings.sync()

    def save(self) -> None:
        """Store the controls, the geometry and the docks (call before the window closes)."""
        self._settings.window_geometry = self._window.saveGeometry()
        self._settings.window_state = self._window.saveState(STATE_VERSION)
        self.save_controls()


def fit_into_screen(window: QMainWindow) -> None:
    """Move and shrink ``window`` into its screen's free area if it does not lie inside."""
    available = window.screen().availableGeometry()
    fitted = fitted_geometry(window.geometry(), available)
    if fitted != window.geometry():
        window.setGeometry(fitted)
