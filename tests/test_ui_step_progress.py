"""The run bar and the scrubber count the steps the user set, and keep one rate unit a run.

PNDM calls the UNet once more than its steps (its PLMS warm-up): a 4-step run makes 5
calls, and the window must still end on 4/4.
"""

from __future__ import annotations

import pytest

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job
from sdstudio.engine.jobs.runner import run_job
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.progress_text import Progress
from sdstudio.ui.run_bar import RunBar
from sdstudio.ui.step_numbers import shown_step
from sdstudio.ui.worker import _JobTranslator
from sdstudio.ui.worker_events import RunProgress
from tests.helpers import noise_image
from tests.ui_support import generate_and_wait, make_window


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red circle", steps=4, width=64, height=64, seed=3, scheduler="PNDM")
    return GenerationRequest(**{**values, **changes})


def _translated(model, request: GenerationRequest) -> tuple[list[StepEvent], list[RunProgress]]:
    """The loop's step events and the window's progress events of one run."""
    job = Job(request)
    sent: list[object] = []
    translator = _JobTranslator(job, sent.append, LatestSlot(), LatestSlot())
    steps = []
    for event in run_job(model, job):
        if isinstance(event.payload, StepEvent):
            steps.append(event.payload)
        translator.send(event.payload)
    return steps, [each for each in sent if isinstance(each, RunProgress)]


def test_a_pndm_run_of_4_steps_ends_on_4_of_4(demo_model) -> None:
    calls, progress = _translated(demo_model, _request())

    assert calls[-1].total == 5  # the loop's UNet calls: one more than the steps
    assert [(each.step, each.total) for each in progress] == [
        (1, 4),
        (1, 4),
        (2, 4),
        (3, 4),
        (4, 4),
    ]


def test_img2img_counts_steps_times_strength_as_the_engine_runs_them(demo_model) -> None:
    request = _request(steps=10, init_image=noise_image(64, 64), strength=0.5)
    _, progress = _translated(demo_model, request)

    assert {each.total for each in progress} == {5}
    assert progress[-1].step == 5


@pytest.mark.parametrize(
    ("changes", "steps"),
    [
        ({}, 4),
        ({"steps": 20}, 20),
        ({"init_image": noise_image(64, 64), "strength": 0.5}, 2),
        ({"init_image": noise_image(64, 64), "strength": 0.33, "steps": 7}, 2),
        ({"init_image": noise_image(64, 64), "strength": 0.05, "steps": 10}, 0),
        ({"init_image": noise_image(64, 64), "strength": 1.0}, 4),  # strength 1 is txt2img
    ],
)
def test_the_steps_shown_are_those_the_run_denoises(changes, steps) -> None:
    assert _request(**changes).effective_steps == steps


def test_calls_map_onto_steps_ending_each_step_on_its_last_call() -> None:
    pndm = [shown_step(call, 5, 4) for call in range(1, 6)]
    heun = [shown_step(call, 7, 4)[0] for call in range(1, 8)]
    assert pndm == [(1, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert heun == [1, 1, 1, 2, 2, 3, 4]  # Heun: step k ends on call 2k, the last on call 7
    assert [shown_step(call, 3, 3) for call in (1, 2, 3)] == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_window_shows_the_users_steps_in_the_bar_and_the_scrubber(
    qtbot, demo_model, tmp_path
) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out", steps=4)
    window.controls.scheduler_combo.setCurrentText("PNDM")
    texts: list[str] = []
    window.worker.on(RunProgress, lambda _: texts.append(window.run_bar.progress_bar.format()))

    generate_and_wait(qtbot, window)

    assert texts[0].startswith("Step 1/4") and texts[-1].startswith("Step 4/4")
    assert not any("/5" in text for text in texts)
    slider, label = window.scrubber.slider, window.scrubber.label
    assert slider.maximum() == 5  # a preview per UNet call
    slider.setValue(0)
    assert label.text() == "Step 1/4"
    slider.setValue(4)
    assert label.text() == "Step 4/4"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_runs_rate_keeps_the_unit_it_started_in(qtbot) -> None:
    bar = RunBar()
    qtbot.addWidget(bar)

    def shown(step: int, elapsed: float) -> str:
        bar.show_progress(Progress(step, 20, elapsed_s=elapsed))
        return bar.progress_bar.format()

    bar.set_running()
    assert shown(1, 0.0) == "Step 1/20"
    assert "1.2 s/it" in shown(2, 1.25)  # 0.8 it/s: slower than 1 step a second
    assert "0.75 s/it" in shown(5, 3.0)  # now 1.33 it/s, still in s/it
    assert "0.50 s/it" in shown(9, 4.0)

    bar.set_running()  # the next run chooses again
    shown(1, 0.0)
    assert "2.0 it/s" in shown(3, 1.0)
    assert "0.80 it/s" in shown(5, 5.0)  # now slower than 1 it/s, still in it/s


def test_a_cancelled_pndm_run_names_the_users_step(demo_model) -> None:
    from sdstudio.engine.cancel import CancelToken
    from sdstudio.ui.worker_events import RunCancelled

    job = Job(_request())
    cancel = CancelToken()
    sent: list[object] = []
    translator = _JobTranslator(job, sent.append, LatestSlot(), LatestSlot())
    for event in run_job(demo_model, job, cancel):
        if isinstance(event.payload, StepEvent) and event.payload.step == 5:
            cancel.cancel()  # after the last call: the loop reports 5 calls done
        translator.send(event.payload)
    cancelled = [each for each in sent if isinstance(each, RunCancelled)]
    assert [each.after_step for each in cancelled] == [4]
