"""The browser's source list: the loaded model, the presets, and the user's ControlNets.

ControlNets are listed from ``SDSTUDIO_HOME/models/controlnet`` each time the list opens, so
one copied there while the window is open shows up without a restart.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

from sdstudio.engine.generation.controlnet.library import available_controlnets
from sdstudio.engine.modules.controlnet_architecture import controlnet_name

CONTROLNET_KEY = "controlnet:"  # item data of a ControlNet: this prefix, then its path


def controlnet_key(path: Path) -> str:
    return f"{CONTROLNET_KEY}{path}"


def controlnet_path(key: object) -> Path | None:
    """The ControlNet an item's data names; None for the loaded model and the presets."""
    if isinstance(key, str) and key.startswith(CONTROLNET_KEY):
        return Path(key.removeprefix(CONTROLNET_KEY))
    return None


class SourceCombo(QComboBox):
    """A combo whose ControlNet items follow the ControlNet folder.

    Signals:
        aboutToShowPopup(): the list is about to open (its ControlNets were just listed).
    """

    aboutToShowPopup = Signal()  # noqa: N815 (Qt's naming)

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        self.refresh_controlnets()
        self.aboutToShowPopup.emit()
        super().showPopup()

    def refresh_controlnets(self) -> None:
        """Replace the ControlNet items by the folder's, keeping the current choice when it
        is still there (else the loaded model, the first item)."""
        current = self.currentData()
        for row in range(self.count() - 1, -1, -1):
            if controlnet_path(self.itemData(row)) is not None:
                self.removeItem(row)
        for path in _listed():
            self.addItem(f"ControlNet: {controlnet_name(path)}", controlnet_key(path))
        self.setCurrentIndex(max(self.findData(current), 0))


def _listed() -> list[Path]:
    """The folder's ControlNets; none when it cannot be read (the browser still works)."""
    try:
        return available_controlnets()
    except OSError:
        return []
