"""Generate without a model here follows Preferences' server at once: a failed load leaves it
disabled, saving a server in Preferences enables it, turning the server off disables it again
(no Ray needed: the server never has to answer for the button's state)."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.preferences.generate_gate import NO_MODEL_TIP
from sdstudio.ui.worker_events import ModelFailed
from tests.ui_support import WAIT_MS, shown_window, wait_for

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _set_server(qtbot, window: MainWindow, url: str, enabled: bool) -> None:
    """Through the dialog, as the user does: File → Preferences…, Server tab, Save."""
    window.window_actions.preferences.trigger()
    dialog = window.preferences.dialog
    dialog.show_page("server")
    dialog.findChild(object, "serverUrl").setText(url)
    dialog.findChild(object, "serverEnabled").setChecked(enabled)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.preferences.dialog is None, timeout=5000)


def _failed_window(qtbot, tmp_path) -> MainWindow:
    window = shown_window(qtbot, tmp_path / "out")
    with wait_for(qtbot, window.worker, ModelFailed):
        window.load_model(str(tmp_path / "no-such-model"))
    return window


def test_generate_follows_the_server_preference_after_a_failed_load(qtbot, tmp_path):
    window = _failed_window(qtbot, tmp_path)
    button = window.run_bar.generate_button
    assert not window.worker.model_ready
    assert not button.isEnabled()
    assert button.toolTip() == NO_MODEL_TIP

    url = f"http://127.0.0.1:{_closed_port()}"
    _set_server(qtbot, window, url, enabled=True)
    assert button.isEnabled()  # at once: nothing else happened
    assert button.toolTip() == f"Generate on the server at {url} (Ctrl+Enter)"

    _set_server(qtbot, window, url, enabled=False)
    assert not button.isEnabled()
    assert button.toolTip() == NO_MODEL_TIP
    window.controls.prompt_edit.setPlainText("nowhere to run")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.queue.model.jobs() == []

    _set_server(qtbot, window, url, enabled=True)  # and on again
    assert button.isEnabled()


def test_a_server_job_ending_keeps_generate_as_preferences_say(qtbot, tmp_path):
    """A job sent to a server that cannot be reached fails; Generate stays as the server
    preference says, also after it was turned off while the job was waiting."""
    window = _failed_window(qtbot, tmp_path)
    button = window.run_bar.generate_button
    url = f"http://127.0.0.1:{_closed_port()}"
    _set_server(qtbot, window, url, enabled=True)
    window.controls.size_row.set_size(64, 64)
    window.controls.steps_spin.setValue(2)
    model = window.queue.model

    window.queue.pause()
    window.controls.prompt_edit.setPlainText("sent to the server")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    [sent] = model.jobs()
    assert sent.server == url
    _set_server(qtbot, window, url, enabled=False)  # the queued job still goes there
    assert not button.isEnabled()

    window.queue.resume()
    qtbot.waitUntil(
        lambda: model.get(sent.job.id).state == "failed" and window.queue.running_job is None,
        timeout=WAIT_MS,
    )
    assert f"Cannot reach the server at {url}" in model.get(sent.job.id).message
    assert not button.isEnabled()  # the job's end did not enable it again
    assert button.toolTip() == NO_MODEL_TIP


def test_ctrl_enter_without_a_model_or_server_says_how_to_get_one(qtbot, tmp_path):
    window = _failed_window(qtbot, tmp_path)
    prompt = window.controls.prompt_edit
    prompt.setPlainText("nowhere to run")
    prompt.setFocus()
    assert window.statusBar().currentMessage() != NO_MODEL_TIP
    qtbot.keyClick(prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.queue.model.jobs() == []
    assert window.statusBar().currentMessage() == NO_MODEL_TIP
