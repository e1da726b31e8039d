"""Asking what to do with an image that carries generation settings: init image or restore."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.metadata import ImageMetadata, MetadataSource

COMFYUI_NOTE = (
    "It was made with ComfyUI: its workflow is shown below, but sdstudio cannot restore "
    "settings from a node graph."
)


# A stranger's file can hold megabytes of text: Qt lays out 10 MB in about 5 s on the GUI
# thread. The head and the tail (where infotext keeps the settings) are shown.
MAX_SHOWN = 65_536
SHOWN_TAIL = 2_048


def parameters_text(metadata: ImageMetadata) -> str:
    """The settings as the file states them (A1111 infotext, or ComfyUI's raw JSON), at
    most :data:`MAX_SHOWN` characters of them with a note where the middle is left out."""
    if metadata.record is not None:
        text = metadata.record.infotext()
    elif metadata.infotext is not None:
        text = metadata.texts.get("parameters", "")
    else:
        text = "\n\n".join(f"{name}:\n{value}" for name, value in metadata.texts.items())
    if len(text) <= MAX_SHOWN:
        return text
    hidden = len(text) - MAX_SHOWN
    head = text[: MAX_SHOWN - SHOWN_TAIL]
    return f"{head}\n\n[… {hidden:,} characters not shown …]\n\n{text[-SHOWN_TAIL:]}"


class ParametersDialog(QDialog):
    """Shows an image's settings with "Use as Init Image" and "Restore Its Settings" buttons.

    Window-modal but shown with ``open()``, so nothing waits on it; it deletes itself when
    closed. ``restoreSettingsButton`` is disabled for ComfyUI images.

    Signals:
        initChosen(): use the image as the init image.
        restoreChosen(): put its settings into the controls.
    """

    initChosen = Signal()
    restoreChosen = Signal()

    def __init__(self, name: str, metadata: ImageMetadata, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parametersDialog")
        self.setWindowTitle("Image with settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        source = metadata.source.value
        text = f"{name} carries generation settings ({source}). What should sdstudio do with it?"
        if metadata.source is MetadataSource.COMFYUI:
            text = f"{text}\n{COMFYUI_NOTE}"
        self.message_label = QLabel(text, objectName="parametersMessage")
        self.message_label.setWordWrap(True)
        self.parameters_edit = QPlainTextEdit(parameters_text(metadata))
        self.parameters_edit.setObjectName("parametersText")
        self.parameters_edit.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.init_button = QPushButton("Use as Init Image", objectName="useAsInitButton")
        self.restore_button = QPushButton("Restore Its Settings", objectName="restoreButton")
        self.restore_button.setEnabled(metadata.record is not None or metadata.infotext is not None)
        self.restore_button.setDefault(self.restore_button.isEnabled())
        buttons.addButton(self.init_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.init_button.clicked.connect(self.initChosen)
        self.restore_button.clicked.connect(self.restoreChosen)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.parameters_edit, 1)
        layout.addWidget(buttons)
        self.resize(520, 320)
