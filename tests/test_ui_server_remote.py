"""A Generate click sent to an ``sdstudio serve`` server on the loopback (one CPU replica of the
demo model): the picture is saved here, as a local run saves it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

ray = pytest.importorskip("ray", reason='needs the serve extra: pip install "sdstudio[serve]"')
serve = pytest.importorskip("ray.serve", reason="needs the serve extra (Ray Serve)")

from tests.helpers import max_pixel_difference  # noqa: E402
from tests.serve_support import loopback_server, torch_threads  # noqa: E402
from tests.ui_support import (  # noqa: E402
    WAIT_MS,
    click_generate,
    make_queue_window,
    shown_window,
)

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

TOKEN = "loopback-window-token"


@dataclass(frozen=True)
class Server:
    url: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One CPU replica of the demo model behind a token, on a free loopback port."""
    with loopback_server(tmp_path_factory.mktemp("serve-home"), 1, TOKEN) as port:
        yield Server(f"http://127.0.0.1:{port}")


def _set_server(qtbot, window, url: str, enabled: bool) -> None:
    dialog = window.preferences.open()
    dialog.findChild(object, "serverUrl").setText(url)
    dialog.findChild(object, "serverToken").setText(TOKEN)
    dialog.findChild(object, "serverEnabled").setChecked(enabled)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.preferences.dialog is None, timeout=5000)


def _run_one(qtbot, window, prompt: str) -> str:
    job_id = click_generate(qtbot, window, prompt)
    qtbot.waitUntil(
        lambda: window.queue.model.get(job_id).state in ("done", "failed", "cancelled"),
        timeout=WAIT_MS,
    )
    return job_id


def test_a_job_sent_from_the_window_saves_the_pixels_of_a_local_run(
    server, qtbot, demo_model, tmp_path
):
    window = make_queue_window(qtbot, demo_model, tmp_path / "out")
    window.controls.seed_row.random_check.setChecked(False)
    window.controls.seed_row.set_seed(11)
    _set_server(qtbot, window, server.url, enabled=True)
    remote = window.queue.model.get(_run_one(qtbot, window, "a red circle on the left"))
    assert remote.where == "server"
    assert remote.state == "done", remote.message
    _set_server(qtbot, window, server.url, enabled=False)
    with torch_threads(1):  # as a one-CPU replica runs: the same sums in the same order
        local = window.queue.model.get(_run_one(qtbot, window, "a red circle on the left"))
    assert local.where == "local"
    assert local.state == "done", local.message

    there, here = sorted((tmp_path / "out").glob("*.png"))
    assert (there.name, here.name) == ("00001-11.png", "00002-11.png")
    with Image.open(there) as served, Image.open(here) as local_image:
        assert served.info["parameters"] == local_image.info["parameters"]
        assert max_pixel_difference(served, local_image) == 0


def test_a_server_job_needs_no_model_here(server, qtbot, tmp_path):
    """No local model was ever given (the load is held back), then one fails to load: the
    jobs sent to the server run all the same, and their pictures are saved here."""
    from sdstudio.ui.server.server_settings import ServerChoice, write_server_choice
    from sdstudio.ui.settings_store import SettingsStore
    from sdstudio.ui.worker_events import ModelFailed
    from tests.ui_support import wait_for

    write_server_choice(SettingsStore(), ServerChoice(server.url, TOKEN, True))
    window = shown_window(qtbot, tmp_path / "out")
    window.controls.size_row.set_size(64, 64)
    window.controls.steps_spin.setValue(3)
    combo = window.controls.preview_combo
    combo.setCurrentIndex(combo.findData("none"))
    assert not window.worker.model_ready
    assert window.run_bar.generate_button.isEnabled()

    first = window.queue.model.get(_run_one(qtbot, window, "no model here"))
    assert (first.where, first.state) == ("server", "done"), first.message

    with wait_for(qtbot, window.worker, ModelFailed):
        window.load_model(str(tmp_path / "no-such-model"))
    assert window.run_bar.generate_button.isEnabled()  # the server still takes jobs
    second = window.queue.model.get(_run_one(qtbot, window, "after a failed load"))
    assert (second.where, second.state) == ("server", "done"), second.message

    saved = sorted((tmp_path / "out").glob("*.png"))
    assert len(saved) == 2
    with Image.open(saved[1]) as image:
        assert image.info["parameters"].splitlines()[0] == "after a failed load"
