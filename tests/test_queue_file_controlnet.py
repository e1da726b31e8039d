"""A queued job's ControlNet units survive closing the window: the same settings, the same
control pixels; a unit whose control image is gone keeps its job from coming back, saying so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job
from sdstudio.engine.jobs.queue_file import IMAGES, QueuedJob, QueueFile


def _edges(seed: int) -> Image.Image:
    values = np.random.default_rng(seed).integers(0, 2, (64, 64), np.uint8) * 255
    return Image.fromarray(values).convert("RGB")


def _job_with_units() -> Job:
    canny = DescribedUnit(
        model="tiny-canny",
        image=_edges(1),
        weight=0.7,
        start=0.1,
        end=0.9,
        mode="prompt",
        preprocessor="canny",
        resize_mode="Resize and Fill",
        threshold_a=50,
        threshold_b=180,
    )
    plain = ControlUnit(model="/models/other.safetensors", image=_edges(2), mode="controlnet")
    return Job(GenerationRequest("a red circle", width=64, height=64), controlnets=(canny, plain))


def test_a_queued_job_keeps_its_units_settings_and_pixels(tmp_path: Path) -> None:
    job = _job_with_units()
    QueueFile(tmp_path).save([QueuedJob(job)])

    loaded = QueueFile(tmp_path).load()

    assert loaded.messages == []
    restored = loaded.jobs[0].job.controlnets
    assert restored == job.controlnets  # classes and settings (images are not compared)
    for ours, theirs in zip(restored, job.controlnets, strict=True):
        assert ours.image.mode == theirs.image.mode
        assert ours.image.tobytes() == theirs.image.tobytes()


def test_a_unit_whose_control_image_is_gone_keeps_its_job_back_with_a_message(
    tmp_path: Path,
) -> None:
    job = _job_with_units()
    QueueFile(tmp_path).save([QueuedJob(job), QueuedJob(Job(GenerationRequest("kept")))])
    (tmp_path / IMAGES / f"{job.id}-control1.png").unlink()

    loaded = QueueFile(tmp_path).load()

    assert [queued.job.request.prompt for queued in loaded.jobs] == ["kept"]
    assert loaded.messages == [
        f"Queued job 1 could not be restored: its image {job.id}-control1.png is missing"
    ]


def test_control_images_of_jobs_no_longer_queued_are_removed(tmp_path: Path) -> None:
    job = _job_with_units()
    queue = QueueFile(tmp_path)
    queue.save([QueuedJob(job)])
    assert len(list((tmp_path / IMAGES).glob(f"{job.id}-control*.png"))) == 2

    queue.save([])

    assert list((tmp_path / IMAGES).glob("*.png")) == []
