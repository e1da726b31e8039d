"""About sdstudio: the versions a bug report needs, the device in use and where files live."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import sdstudio
from sdstudio.engine.paths import home_dir

if TYPE_CHECKING:
    from sdstudio.engine.devices import DevicePlacement


def package_version(name: str) -> str:
    """The installed version of ``name``, read from its metadata (torch is not imported)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def logs_folder() -> Path:
    """Where the app's logs go. It writes no log files of its own (messages go to the
    terminal), so this is SDSTUDIO_HOME, where everything it writes lives."""
    return home_dir()


def device_description(placement: DevicePlacement) -> str:
    """``cuda (float16)`` with the GPU's name when there is one."""
    if placement.device.type != "cuda":
        return placement.label
    import torch  # already loaded with the model

    return f"{placement.label}, {torch.cuda.get_device_name(placement.device)}"


class AboutDialog(QDialog):
    """``aboutDialog``: sdstudio's, torch's and diffusers' versions (PySide6's and Python's
    too, for bug reports), ``device`` (what the loaded model runs on, or the configured
    choice), SDSTUDIO_HOME and ``openLogsButton``. No signals."""

    def __init__(self, device: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About sdstudio")
        self.home = home_dir()
        self.logs = logs_folder()
        intro = QLabel((sdstudio.__doc__ or "sdstudio").strip(), objectName="aboutIntro")
        intro.setWordWrap(True)
        form = QFormLayout()
        rows = (
            ("sdstudio", sdstudio.__version__, "sdstudioVersionLabel"),
            ("torch", package_version("torch"), "torchVersionLabel"),
            ("diffusers", package_version("diffusers"), "diffusersVersionLabel"),
            # the module's own: pip installs it as PySide6 or as PySide6-Essentials
            ("PySide6", PySide6.__version__, "pysideVersionLabel"),
            ("Python", platform.python_version(), "pythonVersionLabel"),
            ("Device", device, "deviceLabel"),
            ("SDSTUDIO_HOME", str(self.home), "homeLabel"),
        )
        for title, text, name in rows:
            label = QLabel(text, objectName=name)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(title, label)
        self.open_logs_button = QPushButton("Open logs folder", objectName="openLogsButton")
        self.open_logs_button.setToolTip(str(self.logs))
        self.open_logs_button.clicked.connect(self.open_logs)
        self.error_label = QLabel(objectName="aboutError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.open_logs_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    @Slot()
    def open_logs(self) -> None:
        """Show the logs folder in the file manager; say so if none could open it."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.logs))):
            self.error_label.setText(f"Could not open the folder {self.logs}")
            self.error_label.show()
