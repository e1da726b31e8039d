"""The window's Server preference: where it is kept, what it refuses, and jobs sent to a server
that cannot be reached (no Ray needed)."""

from __future__ import annotations

import socket

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from sdstudio.ui.preferences.dialog import PreferencesDialog
from sdstudio.ui.queue.queue_model import QueueRole
from sdstudio.ui.server.server_jobs import SERVER_JOBS
from sdstudio.ui.server.server_settings import ServerChoice, read_server_choice
from sdstudio.ui.settings_store import SettingsStore
from tests.ui_support import WAIT_MS, click_generate, make_queue_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _save(qtbot, dialog: PreferencesDialog, url: str, token: str, enabled: bool) -> None:
    dialog.findChild(object, "serverUrl").setText(url)
    dialog.findChild(object, "serverToken").setText(token)
    dialog.findChild(object, "serverEnabled").setChecked(enabled)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


def _set_server(qtbot, window, url: str, enabled: bool) -> None:
    dialog = window.preferences.open()
    _save(qtbot, dialog, url, "", enabled)
    qtbot.waitUntil(lambda: window.preferences.dialog is None, timeout=5000)


def test_the_server_preference_round_trips_through_settings(qtbot, tmp_path):
    path = tmp_path / "settings.ini"
    dialog = PreferencesDialog(SettingsStore(path))
    qtbot.addWidget(dialog)
    _save(qtbot, dialog, "http://10.0.0.5:7861", "s3cret", True)
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted

    reopened = PreferencesDialog(SettingsStore(path))
    qtbot.addWidget(reopened)
    assert reopened.findChild(object, "serverUrl").text() == "http://10.0.0.5:7861"
    assert reopened.findChild(object, "serverToken").text() == "s3cret"
    assert reopened.findChild(object, "serverEnabled").isChecked()
    assert read_server_choice(SettingsStore(path)) == ServerChoice(
        "http://10.0.0.5:7861", "s3cret", True
    )


def test_an_address_that_is_not_one_is_named_and_nothing_is_saved(qtbot, tmp_path):
    path = tmp_path / "settings.ini"
    dialog = PreferencesDialog(SettingsStore(path))
    qtbot.addWidget(dialog)
    dialog.show()
    _save(qtbot, dialog, "localhost:7861", "", True)
    error = dialog.findChild(object, "preferencesError")
    assert error.isVisible()
    assert "Not a server address: 'localhost:7861'" in error.text()
    assert dialog.isVisible()  # still open, to be corrected
    assert read_server_choice(SettingsStore(path)) == ServerChoice()


def test_an_unreachable_server_fails_its_job_and_the_next_local_job_runs(
    qtbot, demo_model, tmp_path
):
    window = make_queue_window(qtbot, demo_model, tmp_path / "out")
    url = f"http://127.0.0.1:{_closed_port()}"
    window.queue.pause()
    _set_server(qtbot, window, url, enabled=True)
    sent = click_generate(qtbot, window, "sent to the server")
    _set_server(qtbot, window, url, enabled=False)
    kept = click_generate(qtbot, window, "run here")
    model = window.queue.model
    index = model.index(model.row_of(sent))
    assert index.data(QueueRole.WHERE) == "server"
    assert "· server · pending" in index.data(Qt.ItemDataRole.DisplayRole)
    runs = index.data(Qt.ItemDataRole.ToolTipRole).splitlines()[1]
    assert runs == f"Runs on the server at {url}"
    here = model.index(model.row_of(kept))
    assert here.data(QueueRole.WHERE) == "local"
    assert "server" not in here.data(Qt.ItemDataRole.DisplayRole)
    assert here.data(Qt.ItemDataRole.ToolTipRole).splitlines()[1].startswith("Runs here (local)")

    window.queue.resume()
    qtbot.waitUntil(
        lambda: model.count("pending") == 0 and window.queue.running_job is None,
        timeout=WAIT_MS,
    )
    failed, done = model.get(sent), model.get(kept)
    assert failed.state == "failed"
    assert f"Cannot reach the server at {url}" in failed.message
    assert done.state == "done"
    [saved] = (tmp_path / "out").glob("*.png")
    with Image.open(saved) as image:
        assert image.info["parameters"].splitlines()[0] == "run here"


def test_a_restored_queue_still_sends_its_server_jobs_there(qtbot, demo_model, tmp_path):
    window = make_queue_window(qtbot, demo_model, tmp_path / "out")
    url = f"http://127.0.0.1:{_closed_port()}"
    window.queue.pause()
    for enabled in (True, False):  # one job sent there, one kept here
        dialog = window.preferences.open()
        _save(qtbot, dialog, url, "s3cret", enabled)
        qtbot.waitUntil(lambda: window.preferences.dialog is None, timeout=5000)
        if enabled:
            sent = click_generate(qtbot, window, "sent before closing")
    kept = click_generate(qtbot, window, "kept here")
    window.close()
    SERVER_JOBS.forget(sent)  # as a new process starts: nothing in memory

    reopened = make_queue_window(qtbot, demo_model, tmp_path / "out")
    model = reopened.queue.model
    assert [row.where for row in model.rows()] == ["server", "local"]
    assert model.get(sent).queued.server == url
    assert SERVER_JOBS.server_of(sent) == (url, "s3cret")  # the token from settings.ini
    assert SERVER_JOBS.server_of(kept) is None
    assert "· server · pending" in model.index(0).data(Qt.ItemDataRole.DisplayRole)

    reopened.queue.resume()
    qtbot.waitUntil(
        lambda: model.count("pending") == 0 and reopened.queue.running_job is None,
        timeout=WAIT_MS,
    )
    assert model.get(sent).state == "failed"
    assert f"Cannot reach the server at {url}" in model.get(sent).message
    assert model.get(kept).state == "done"


def test_run_again_runs_where_preferences_point_now(qtbot, demo_model, tmp_path):
    window = make_queue_window(qtbot, demo_model, tmp_path / "out")
    url = f"http://127.0.0.1:{_closed_port()}"
    _set_server(qtbot, window, url, enabled=True)
    first = click_generate(qtbot, window, "again, here this time")
    model = window.queue.model
    qtbot.waitUntil(lambda: model.get(first).state == "failed", timeout=WAIT_MS)
    assert model.get(first).where == "server"

    _set_server(qtbot, window, url, enabled=False)  # the server was switched off
    panel = window.queue_panel
    panel.list.setCurrentIndex(model.index(model.row_of(first)))
    qtbot.mouseClick(panel.run_again_button, Qt.MouseButton.LeftButton)
    copy = model.jobs()[-1].job.id
    qtbot.waitUntil(lambda: model.get(copy).state in ("done", "failed"), timeout=WAIT_MS)
    assert model.get(copy).where == "local" and model.get(copy).queued.server is None
    assert model.get(copy).state == "done", model.get(copy).message
    assert len(list((tmp_path / "out").glob("*.png"))) == 1

    _set_server(qtbot, window, url, enabled=True)  # and back on: the local job's copy goes
    window.queue.pause()
    panel.list.setCurrentIndex(model.index(model.row_of(copy)))
    qtbot.mouseClick(panel.run_again_button, Qt.MouseButton.LeftButton)
    assert model.rows()[-1].where == "server"
