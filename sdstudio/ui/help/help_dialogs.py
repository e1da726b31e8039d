"""Opening the Help menu's dialogs for the window, each at most once at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QDialog, QWidget

from sdstudio.ui.help.about_dialog import AboutDialog, device_description
from sdstudio.ui.help.shortcuts_dialog import ShortcutsDialog

if TYPE_CHECKING:
    from sdstudio.engine.devices import DevicePlacement


class HelpDialogs(QObject):
    """Opens :class:`AboutDialog` and :class:`ShortcutsDialog` over ``window`` (non-modal:
    no nested event loop). ``configured_device`` is what About says until a model has
    loaded; :meth:`model_placed` tells it where the model runs. No signals."""

    def __init__(self, window: QWidget, configured_device: str) -> None:
        super().__init__(window)
        self._window = window
        self._device = f"{configured_device} (no model loaded yet)"
        self._open: dict[type, QDialog] = {}

    def model_placed(self, placement: DevicePlacement) -> None:
        self._device = device_description(placement)

    @Slot()
    def open_about(self) -> AboutDialog:
        return self._show(AboutDialog, lambda: AboutDialog(self._device, self._window))

    @Slot()
    def open_shortcuts(self) -> ShortcutsDialog:
        return self._show(ShortcutsDialog, lambda: ShortcutsDialog(self._window))

    def _show(self, kind: type, make) -> QDialog:
        dialog = self._open.get(kind)
        if dialog is not None:
            dialog.raise_()  # already open: bring it to the front
            return dialog
        dialog = make()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._open.pop(kind, None))
        self._open[kind] = dialog
        dialog.show()
        return dialog
