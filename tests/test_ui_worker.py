"""The generation worker in its QThread: results, coalesced previews, cancel, shutdown."""

from __future__ import annotations

import threading

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.ui.worker import FinishedImage
from sdstudio.ui.worker_host import WorkerHost
from tests.ui_support import WAIT_MS


@pytest.fixture
def host(qtbot, demo_model, tmp_path):
    worker = WorkerHost(output_dir=tmp_path / "out", device="cpu")
    with qtbot.waitSignal(worker.modelReady, timeout=WAIT_MS):
        worker.use_model(demo_model)
    yield worker
    worker.shutdown()


def _request(steps: int = 3, **changes) -> GenerationRequest:
    return GenerationRequest(
        "a red barn", steps=steps, width=64, height=64, seed=5, scheduler="Euler", **changes
    )


def test_a_run_sends_previews_then_the_saved_result(host, qtbot, tmp_path) -> None:
    previews, results = [], []
    host.stepPreview.connect(lambda step, total, image: previews.append((step, total, image)))
    host.finished.connect(results.append)
    with qtbot.waitSignal(host.done, timeout=WAIT_MS):
        assert host.generate(_request(), "latent")
    assert host.busy is False
    assert previews and previews[-1][:2] == (3, 3)
    assert not previews[-1][2].isNull()
    [result] = results
    assert isinstance(result, FinishedImage)
    assert (result.image.width(), result.image.height(), result.seed) == (64, 64, 5)
    assert result.path.parent == tmp_path / "out"
    with Image.open(result.path) as saved:
        assert saved.size == (64, 64)
    assert [frame.step for frame in result.frames] == [1, 2, 3]


def test_a_busy_gui_gets_only_the_latest_preview(host, qtbot) -> None:
    """The GUI thread handles no events during the whole run: no backlog builds up."""
    finished_in_worker = threading.Event()
    # A direct connection runs in the worker thread, so the test can wait without the GUI.
    host._worker.done.connect(finished_in_worker.set, Qt.ConnectionType.DirectConnection)
    steps, previews = [], []
    host.progress.connect(lambda step, *_: steps.append(step))
    host.stepPreview.connect(lambda step, total, image: previews.append(step))
    assert host.generate(_request(steps=6), "latent")
    assert finished_in_worker.wait(WAIT_MS / 1000)
    with qtbot.waitSignal(host.done, timeout=WAIT_MS):
        pass
    assert steps == [1, 2, 3, 4, 5, 6]  # progress is cheap and complete
    assert previews == [6]  # previews are coalesced: only the newest reached the GUI


def test_cancel_stops_within_one_step(host, qtbot) -> None:
    seen = []

    def on_progress(step: int, *_: object) -> None:
        seen.append(step)
        if step == 2:
            host.cancel()

    host.progress.connect(on_progress)
    results = []
    host.finished.connect(results.append)
    with qtbot.waitSignal(host.cancelled, timeout=WAIT_MS) as blocker:
        assert host.generate(_request(steps=40), "none")
    qtbot.waitSignal(host.done, timeout=WAIT_MS).wait() if host.busy else None
    after_step = blocker.args[0]
    assert 2 <= after_step <= 3  # at most the step running when Cancel was pressed
    assert results == []


def test_shutdown_during_a_run_stops_the_thread(host, qtbot) -> None:
    with qtbot.waitSignal(host.progress, timeout=WAIT_MS):
        assert host.generate(_request(steps=40), "latent")
    host.shutdown()
    assert not host.running
    assert host.generate(_request(), "latent") is False


def test_unusable_preview_kind_is_a_notice_not_a_failure(host, qtbot) -> None:
    notices, results = [], []
    host.notice.connect(notices.append)
    host.finished.connect(results.append)
    with qtbot.waitSignal(host.done, timeout=WAIT_MS):
        assert host.generate(_request(), "taesd")  # no TAESD weights offline
    assert results and notices
    assert "without previews" in notices[0]


def test_a_missing_model_is_reported(qtbot, tmp_path) -> None:
    host = WorkerHost(device="cpu")
    try:
        with qtbot.waitSignal(host.modelFailed, timeout=WAIT_MS) as blocker:
            host.load_model(str(tmp_path / "no-such-model"))
        assert "not found" in blocker.args[0].lower()
        assert not host.model_ready
        assert host.generate(_request(), "none") is False
    finally:
        host.shutdown()
