"""The generation worker in its QThread: results, coalesced previews, cancel, shutdown."""

from __future__ import annotations

import threading

import pytest
from PIL import Image
from PySide6.QtCore import QObject, Qt

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.ui.worker_events import (
    FinishedImage,
    ModelFailed,
    ModelReady,
    Notice,
    RunCancelled,
    RunDone,
    RunProgress,
    StepPreview,
)
from sdstudio.ui.worker_host import WorkerHost
from tests.ui_support import WAIT_MS, wait_for


@pytest.fixture
def host(qtbot, demo_model):
    worker = WorkerHost(device="cpu")
    with wait_for(qtbot, worker, ModelReady):
        worker.use_model(demo_model)
    yield worker
    worker.shutdown()


def _job(tmp_path, preview: str = "latent", steps: int = 3) -> Job:
    request = GenerationRequest(
        "a red barn", steps=steps, width=64, height=64, seed=5, scheduler="Euler"
    )
    previews = PreviewSettings(PreviewKind(preview))
    return Job(request, previews=previews, saving=SaveOptions(output_dir=tmp_path / "out"))


def test_a_run_sends_previews_then_the_saved_result_tagged_with_its_job(
    host, qtbot, tmp_path
) -> None:
    previews, results = [], []
    host.on(StepPreview, previews.append)
    host.on(FinishedImage, results.append)
    job = _job(tmp_path)
    with wait_for(qtbot, host, RunDone) as done:
        assert host.submit(job)
    assert done.args[0].job_id == job.id
    assert host.busy is False
    assert previews and (previews[-1].frame.step, previews[-1].frame.total) == (3, 3)
    assert not previews[-1].frame.image.isNull()
    assert {preview.job_id for preview in previews} == {job.id}
    [result] = results
    assert result.job_id == job.id
    assert (result.image.width(), result.image.height(), result.seed) == (64, 64, 5)
    assert result.path.parent == tmp_path / "out"
    with Image.open(result.path) as saved:
        assert saved.size == (64, 64)
    assert [frame.step for frame in result.frames] == [1, 2, 3]


def test_a_busy_gui_gets_only_the_latest_preview(host, qtbot, tmp_path) -> None:
    """The GUI thread handles no events during the whole run: no backlog builds up."""
    finished_in_worker = threading.Event()

    def on_worker_event(event: object) -> None:  # runs in the worker thread
        if isinstance(event, RunDone):
            finished_in_worker.set()

    host._worker.event.connect(on_worker_event, Qt.ConnectionType.DirectConnection)
    steps, previews = [], []
    host.on(RunProgress, lambda event: steps.append(event.step))
    host.on(StepPreview, lambda event: previews.append(event.frame.step))
    assert host.submit(_job(tmp_path, steps=6))
    assert finished_in_worker.wait(WAIT_MS / 1000)
    with wait_for(qtbot, host, RunDone):
        pass
    assert steps == [1, 2, 3, 4, 5, 6]  # progress is cheap and complete
    assert previews == [6]  # previews are coalesced: only the newest reached the GUI


def test_cancel_stops_within_one_step(host, qtbot, tmp_path) -> None:
    def on_progress(event: RunProgress) -> None:
        if event.step == 2:
            host.cancel()

    host.on(RunProgress, on_progress)
    results = []
    host.on(FinishedImage, results.append)
    with wait_for(qtbot, host, RunCancelled) as blocker:
        assert host.submit(_job(tmp_path, "none", steps=40))
    if host.busy:
        with wait_for(qtbot, host, RunDone):
            pass
    after_step = blocker.args[0].after_step
    assert 2 <= after_step <= 3  # at most the step running when Cancel was pressed
    assert results == []


def test_shutdown_during_a_run_stops_the_thread(host, qtbot, tmp_path) -> None:
    with wait_for(qtbot, host, RunProgress):
        assert host.submit(_job(tmp_path, steps=40))
    host.shutdown()
    assert not host.running
    assert host.submit(_job(tmp_path)) is False


def test_unusable_preview_kind_is_a_notice_not_a_failure(host, qtbot, tmp_path) -> None:
    notices, results = [], []
    host.on(Notice, notices.append)
    host.on(FinishedImage, results.append)
    with wait_for(qtbot, host, RunDone):
        assert host.submit(_job(tmp_path, "taesd"))  # no TAESD weights offline
    assert results and notices
    assert "without previews" in notices[0].text


def test_a_subscription_ends_with_its_owner(host, qtbot, tmp_path) -> None:
    listener = QObject()
    seen = []
    listener.count = lambda event: seen.append(event)  # type: ignore[attr-defined]
    host.on(RunDone, _BoundCounter(listener, seen).count)
    with wait_for(qtbot, host, RunDone):
        assert host.submit(_job(tmp_path, "none"))
    assert len(seen) == 1
    with qtbot.waitSignal(listener.destroyed):
        listener.deleteLater()
    with wait_for(qtbot, host, RunDone):
        assert host.submit(_job(tmp_path, "none"))
    assert len(seen) == 1  # the deleted owner's handler is not called any more


class _BoundCounter(QObject):
    def __init__(self, parent: QObject, seen: list) -> None:
        super().__init__(parent)
        self._seen = seen

    def count(self, event: object) -> None:
        self._seen.append(event)


def test_a_missing_model_is_reported(qtbot, tmp_path) -> None:
    host = WorkerHost(device="cpu")
    try:
        with wait_for(qtbot, host, ModelFailed) as blocker:
            host.load_model(str(tmp_path / "no-such-model"))
        assert "not found" in blocker.args[0].message.lower()
        assert not host.model_ready
        assert host.submit(_job(tmp_path, "none")) is False
    finally:
        host.shutdown()
