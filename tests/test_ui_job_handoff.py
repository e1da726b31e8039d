"""The worker starts the queue's next job by itself; the queue can still withdraw it."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job
from sdstudio.ui.job_handoff import JobHandoff
from sdstudio.ui.worker_events import RunDone, RunProgress, RunStarted
from tests.ui_support import WAIT_MS, click_generate, make_queue_window, wait_for

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    return make_queue_window(qtbot, demo_model, tmp_path / "out")


def _sleep_without_events(seconds: float) -> None:
    """Keep the GUI thread busy, as a window drawing a big result would."""
    time.sleep(seconds)


def test_a_cancel_for_one_job_never_stops_another() -> None:
    handoff = JobHandoff()
    first = handoff.token_for("first")
    handoff.offer(Job(GenerationRequest(prompt="second"), id="second"))
    handoff.cancel("first")
    assert first.cancelled and not handoff.token_for("second").cancelled
    assert handoff.take().id == "second" and handoff.take() is None


def test_the_worker_starts_the_next_job_while_the_window_is_busy(window, qtbot) -> None:
    window.controls.steps_spin.setValue(2)
    ended: list[RunDone] = []
    window.worker.on(RunDone, ended.append)
    with wait_for(qtbot, window.worker, RunProgress):
        first = click_generate(qtbot, window, "first")
    second = click_generate(qtbot, window, "second")
    _sleep_without_events(3.0)  # the first job ends meanwhile; nobody asks for the second
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=WAIT_MS)
    assert [(done.job_id, done.next_job_id) for done in ended] == [
        (first, second),
        (second, None),
    ]
    assert window.queue.model.count("done") == 2 and not window.worker.busy


def test_a_job_withdrawn_as_the_worker_takes_it_is_cancelled(window, qtbot, tmp_path) -> None:
    window.controls.steps_spin.setValue(2)
    with wait_for(qtbot, window.worker, RunProgress):
        first = click_generate(qtbot, window, "first")
    window.controls.steps_spin.setValue(window.controls.steps_spin.maximum())
    window.controls.size_row.set_size(256, 256)  # long enough not to end before the cancel
    second = click_generate(qtbot, window, "second")
    # The GUI thread stays busy (no events) until the worker has taken the second job.
    deadline = time.monotonic() + WAIT_MS / 1000
    while window.worker.offered_job() is not None and time.monotonic() < deadline:
        _sleep_without_events(0.05)
    assert window.worker.offered_job() is None
    window.queue.remove(second)  # the user removes it before the window heard of it
    with wait_for(qtbot, window.worker, RunDone) as first_done:
        pass  # the events that waited are delivered now
    assert (first_done.args[0].job_id, first_done.args[0].next_job_id) == (first, second)
    qtbot.waitUntil(lambda: window.queue.running_job is None, timeout=WAIT_MS)
    assert len(list((tmp_path / "out").glob("*.png"))) == 1  # the second never finished
    assert window.queue.model.get(second) is None


def test_pause_withdraws_the_offer(window, qtbot, tmp_path) -> None:
    window.controls.steps_spin.setValue(30)
    with wait_for(qtbot, window.worker, RunProgress):
        click_generate(qtbot, window, "first")
    window.controls.steps_spin.setValue(2)
    second = click_generate(qtbot, window, "second")
    assert window.worker.offered_job() == second
    started: list[str] = []
    window.worker.on(RunStarted, lambda event: started.append(event.job_id))
    qtbot.mouseClick(window.queue_panel.pause_button, Qt.MouseButton.LeftButton)
    assert window.worker.offered_job() is None
    qtbot.waitUntil(lambda: window.queue.running_job is None, timeout=WAIT_MS)
    assert started == [] and window.queue.model.get(second).state == "pending"
