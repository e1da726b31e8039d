"""Opening Preferences for the window and applying what was saved."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from sdstudio.ui.app_state import AppState
from sdstudio.ui.controlnet.unit_widget import ControlUnitWidget
from sdstudio.ui.preferences.dialog import PreferencesDialog
from sdstudio.ui.preferences.theme import apply_theme
from sdstudio.ui.preferences.values import Preferences
from sdstudio.ui.settings_store import SettingsStore


class WindowPreferences(QObject):
    """Opens one :class:`PreferencesDialog` at a time over ``window``. What it saves
    applies at once where it can: the theme, and the Model menu's memory options
    (``option_actions``, checked to match). Runs read the folders and TAESD weights from
    ``settings`` when they are queued. When the dialog closes (saved or not: weights may have
    been copied into a default folder meanwhile) the window's ControlNet units look at the
    depth and pose model folders again. :attr:`dialog` is the open one.

    Signals:
        saved(object): the :class:`Preferences` just saved, once they were applied (the
            server may have been turned on or off: Generate follows it).
    """

    saved = Signal(object)

    def __init__(
        self,
        settings: SettingsStore,
        option_actions: dict[str, QAction],
        state: AppState,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._settings = settings
        self._option_actions = option_actions
        self._state = state
        self._window = window
        self.dialog: PreferencesDialog | None = None

    @Slot()
    def open(self) -> PreferencesDialog:
        if self.dialog is not None:
            self.dialog.raise_()  # already open: bring it to the front
            return self.dialog
        dialog = PreferencesDialog(self._settings, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.apply)
        dialog.finished.connect(self._forget_dialog)  # deleted a little later
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def open_previews(self) -> PreferencesDialog:
        """Preferences on the Models & previews tab (where the TAESD weights are)."""
        dialog = self.open()
        dialog.show_page("models")
        return dialog

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None
        for unit in self._window.findChildren(ControlUnitWidget):
            unit.refresh_annotators()

    @Slot(object)
    def apply(self, preferences: Preferences) -> None:
        apply_theme(preferences.theme)
        for name, action in self._option_actions.items():
            blocked = action.blockSignals(True)  # stored already: no "apply later" message
            action.setChecked(getattr(preferences, name))
            action.blockSignals(blocked)
        where = (
            f" New jobs run on the server at {preferences.server.url}."
            if preferences.server.sends_jobs
            else ""
        )
        self._state.tell(f"Preferences saved.{where}", 5000)
        self.saved.emit(preferences)
