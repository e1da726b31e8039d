"""The queue's list model: Qt's model rules, order, drag-and-drop moves and row text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job
from sdstudio.engine.jobs.queue_file import QueuedJob
from sdstudio.ui.queue.queue_model import JobQueueModel, QueueRole

# The model draws its placeholder thumbnail (a QPixmap) as it is made: that needs the
# application, which a run of this file alone would otherwise not have made yet.
pytestmark = pytest.mark.usefixtures("qapp")


def _model(*prompts: str) -> JobQueueModel:
    model = JobQueueModel()
    for prompt in prompts:
        model.add(QueuedJob(Job(GenerationRequest(prompt=prompt, width=64, height=64))))
    return model


def _prompts(model: JobQueueModel) -> list[str]:
    return [queued.job.request.prompt for queued in model.jobs()]


def test_the_model_passes_qt_model_tester(qtmodeltester) -> None:
    model = _model("a", "b", "c")
    model.set_state(model.jobs()[0].job.id, "running")
    qtmodeltester.check(model, force_py=True)


def test_a_row_shows_prompt_size_steps_seed_and_state() -> None:
    model = _model("a red circle")
    model.set_state(model.jobs()[0].job.id, "running")
    model.set_progress(model.jobs()[0].job.id, 0.4)
    text = model.index(0).data(Qt.ItemDataRole.DisplayRole)
    assert text.splitlines() == ["a red circle", "64×64 · 20 steps · seed 0 · running 40%"]


def test_a_pending_job_moves_but_never_above_a_started_one() -> None:
    model = _model("a", "b", "c", "d")
    model.set_state(model.jobs()[0].job.id, "running")
    last = model.jobs()[3].job.id
    assert model.move(last, 0)
    assert _prompts(model) == ["a", "d", "b", "c"]
    assert not model.move(model.jobs()[0].job.id, 3)  # the running job stays put


def test_dropping_a_dragged_row_moves_it() -> None:
    model = _model("a", "b", "c")
    data = model.mimeData([model.index(0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert _prompts(model) == ["b", "c", "a"]
    assert model.rowCount() == 3


def test_only_pending_rows_can_be_dragged() -> None:
    model = _model("a", "b")
    model.set_state(model.jobs()[0].job.id, "done")
    assert not model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(model.index(1)) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.index(0).data(QueueRole.STATE) == "done"
