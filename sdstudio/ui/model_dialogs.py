"""Non-blocking dialogs that name a model (a folder, a checkpoint file or a hub id) or a VAE.

Each is shown with ``open()`` (no nested event loop under qasync) and calls ``on_chosen`` with
the user's answer; cancelling calls nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

CHECKPOINT_FILTER = "Safetensors checkpoints (*.safetensors);;All files (*)"
HUB_ID_HELP = (
    "Hugging Face model id (owner/name), e.g. stable-diffusion-v1-5/stable-diffusion-v1-5.\n"
    "It is downloaded into the Hugging Face cache if it is not there yet (2–5 GB)."
)


def ask_model_folder(parent: QWidget, on_chosen: Callable[[str], object]) -> QFileDialog:
    """Pick a diffusers model folder (the one holding ``model_index.json``)."""
    dialog = QFileDialog(parent, "Open model folder")
    dialog.setObjectName("modelFolderDialog")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return _show_file_dialog(dialog, on_chosen)


def ask_checkpoint_file(parent: QWidget, on_chosen: Callable[[str], object]) -> QFileDialog:
    """Pick a single-file checkpoint (``.safetensors``)."""
    dialog = QFileDialog(parent, "Open checkpoint file", "", CHECKPOINT_FILTER)
    dialog.setObjectName("checkpointDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return _show_file_dialog(dialog, on_chosen)


def ask_vae(parent: QWidget, on_chosen: Callable[[str], object], folder: bool) -> QFileDialog:
    """Pick a VAE: a diffusers folder, or a single ``.safetensors`` file."""
    if folder:
        dialog = QFileDialog(parent, "Choose VAE folder")
        dialog.setObjectName("vaeFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog = QFileDialog(parent, "Choose VAE file", "", CHECKPOINT_FILTER)
        dialog.setObjectName("vaeFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return _show_file_dialog(dialog, on_chosen)


def ask_hub_id(parent: QWidget, on_chosen: Callable[[str], object]) -> QInputDialog:
    """Ask for a hub id; ``on_chosen`` gets it stripped, and only if it is not empty."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("hubIdDialog")
    dialog.setWindowTitle("Model from the Hugging Face hub")
    dialog.setLabelText(HUB_ID_HELP)
    dialog.setOkButtonText("Load")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(text: str) -> None:
        if text.strip():
            on_chosen(text.strip())

    dialog.textValueSelected.connect(chosen)
    dialog.open()
    return dialog


def _show_file_dialog(dialog: QFileDialog, on_chosen: Callable[[str], object]) -> QFileDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(on_chosen)
    dialog.open()
    return dialog
