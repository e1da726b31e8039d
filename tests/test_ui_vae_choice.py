"""Model ▸ VAE: decode with a VAE of the user's choice, remembered for that model."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.worker_events import ModelFailed, ModelReady
from tests.model_sources_fixtures import build_wider_vae, write_vae_file
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, wait_for

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen file dialogs


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    return make_window(qtbot, demo_model, tmp_path / "out", steps=2)


def _choose_file(window, path: Path) -> None:
    assert window.findChild(type(window.model_picker.vae_menu), "vaeMenu") is not None
    window.model_picker.ask_vae_file()
    dialog = window.findChild(QFileDialog, "vaeFileDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.fileSelected.emit(str(path))
    dialog.close()


def test_a_chosen_vae_file_is_used_and_remembered_for_the_model(
    window, qtbot, demo_model, tmp_path
) -> None:
    path = write_vae_file(demo_model.pipeline.vae, tmp_path / "sharp-vae.safetensors")
    with wait_for(qtbot, window.worker, ModelReady):
        _choose_file(window, path)

    assert window.model_picker.vae_menu.title() == "VAE: sharp-vae.safetensors"
    assert SettingsStore().model_vae("demo") == str(path)
    assert window.model_picker.load_options("demo").vae == path
    generate_and_wait(qtbot, window)

    with wait_for(qtbot, window.worker, ModelReady):
        window.model_picker.own_vae_action.trigger()
    assert window.model_picker.vae_menu.title() == "VAE: Model's Own"
    assert SettingsStore().model_vae("demo") == ""


def test_a_vae_that_does_not_fit_is_a_message_and_not_kept(window, qtbot, tmp_path) -> None:
    path = write_vae_file(build_wider_vae(), tmp_path / "other.safetensors")
    with wait_for(qtbot, window.worker, ModelFailed) as failed:
        _choose_file(window, path)
    qtbot.waitUntil(lambda: window.worker.model_ready, timeout=WAIT_MS)

    assert "other.safetensors does not fit this model's VAE" in failed.args[0].message
    assert window.statusBar().currentMessage() == failed.args[0].message
    assert SettingsStore().model_vae("demo") == ""
    assert window.model_picker.vae_menu.title() == "VAE: Model's Own"
    generate_and_wait(qtbot, window)
