"""The job runner: tagged events from start to done, saved images, failures as messages."""

from __future__ import annotations

import pytest
from PIL import Image

from sdstudio.engine.generation.events import Notice, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobDone, JobFailed, JobStarted
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.metadata import read_metadata
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.probes.outputs import ActivationViews, AttentionMaps


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red barn", steps=2, width=64, height=64, seed=9, scheduler="Euler")
    return GenerationRequest(**{**values, **changes})


def _payloads(model, job) -> list:
    events = list(run_job(model, job))
    assert {event.job_id for event in events} == {job.id}
    return [event.payload for event in events]


def test_a_job_runs_from_started_to_done_and_saves_each_image(demo_model, tmp_path) -> None:
    job = Job(_request(batch_count=2), saving=SaveOptions(output_dir=tmp_path))
    payloads = _payloads(demo_model, job)
    assert isinstance(payloads[0], JobStarted) and payloads[0].batch_count == 2
    assert isinstance(payloads[-1], JobDone)
    saved = [payload for payload in payloads if isinstance(payload, ImageSaved)]
    assert [image.seed for image in saved] == [9, 10]
    for image in saved:
        assert image.path is not None and image.path.parent == tmp_path
        assert read_metadata(image.path).record.seed == image.seed


def test_previews_probes_and_frames_come_with_the_job(demo_model, tmp_path) -> None:
    probes = ProbeOptions(watch=("unet.mid_block",), attention=True)
    previews = PreviewSettings(PreviewKind.LATENT)
    job = Job(_request(), previews=previews, probes=probes, saving=SaveOptions(tmp_path))
    payloads = _payloads(demo_model, job)
    steps = [p.step for p in payloads if isinstance(p, StepEvent)]
    assert [p.step for p in payloads if isinstance(p, PreviewImage)] == steps
    assert len([p for p in payloads if isinstance(p, ActivationViews)]) == len(steps)
    [maps] = [p for p in payloads if isinstance(p, AttentionMaps)]
    assert maps.maps.steps == len(steps)
    [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
    assert [step for step, _ in saved.frames] == steps
    assert saved.record.preview["kind"] == "latent"


def test_the_named_file_is_written_and_numbered_in_a_batch(demo_model, tmp_path) -> None:
    target = tmp_path / "barn.png"
    job = Job(_request(batch_count=2), saving=SaveOptions(file=target))
    saved = [p for p in _payloads(demo_model, job) if isinstance(p, ImageSaved)]
    assert [image.path.name for image in saved] == ["barn-1.png", "barn-2.png"]


def test_a_save_that_fails_is_a_notice_and_the_image_still_arrives(
    demo_model, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sdstudio.engine.jobs import generation_payloads

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    # the save itself fails, after the check made before the run
    monkeypatch.setattr(generation_payloads, "save_finished", disk_full)
    job = Job(_request(), saving=SaveOptions(output_dir=tmp_path))
    payloads = _payloads(demo_model, job)
    [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
    assert saved.path is None and isinstance(saved.image, Image.Image)
    assert any("Could not save" in p.text for p in payloads if isinstance(p, Notice))


def test_a_wrong_module_path_fails_the_job_with_a_message(demo_model, tmp_path) -> None:
    job = Job(_request(), probes=ProbeOptions(watch=("unet.mid_blok",)))
    payloads = _payloads(demo_model, job)
    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert "Did you mean: unet.mid_block" in failed.message
    assert isinstance(payloads[-1], JobDone)


def test_running_out_of_memory_is_a_message_and_the_next_job_works(
    demo_model, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unet = demo_model.pipeline.unet
    original = type(unet).forward

    def out_of_memory(*args, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2 GiB")

    monkeypatch.setattr(type(unet), "forward", out_of_memory)
    payloads = _payloads(demo_model, Job(_request(), saving=SaveOptions(tmp_path)))
    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert failed.message.startswith("Out of memory during generation.")
    monkeypatch.setattr(type(unet), "forward", original)
    payloads = _payloads(demo_model, Job(_request(), saving=SaveOptions(tmp_path)))
    assert any(isinstance(p, ImageSaved) for p in payloads)


def test_jobs_get_distinct_ids() -> None:
    assert Job(_request()).id != Job(_request()).id


def test_without_a_model_the_job_fails_with_a_message() -> None:
    payloads = [event.payload for event in run_job(None, Job(_request()))]
    assert [type(p) for p in payloads] == [JobStarted, JobFailed, JobDone]
    assert payloads[1].message == "No model is loaded yet."
