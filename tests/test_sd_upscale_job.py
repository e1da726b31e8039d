"""SD upscale as a job of the runner (what the window's queue runs): the saved picture is the
SD upscale's own, at the upscaled size with its infotext; the steps count tiles as the images
of a batch; a cancel saves nothing; a job without a picture, or with probes, fails with a message.

The picture is 48×40, upscaled ×2 by Lanczos to 96×80: four 64-pixel tiles sharing 16."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.generation.events import Cancelled, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.jobs.sd_upscale_run import sd_upscale
from sdstudio.engine.metadata import read_metadata
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage
from tests.random_esrgan import random_picture

REQUEST = GenerationRequest("a red square", steps=4, strength=0.5, seed=5, width=64, height=64)
STAGE = SdUpscaleStage("Lanczos", 2.0, 16)


def _job(tmp_path: Path, picture: Image.Image | None) -> Job:
    return Job(
        replace(REQUEST, init_image=picture),
        saving=SaveOptions(output_dir=tmp_path / "out"),
        sd_upscale=STAGE,
    )


def test_the_saved_picture_is_the_sd_upscale_at_its_size(demo_model, tmp_path: Path) -> None:
    picture = random_picture(48, 40)
    payloads = [event.payload for event in run_job(demo_model, _job(tmp_path, picture))]
    (saved,) = [p for p in payloads if isinstance(p, ImageSaved)]
    expected = sd_upscale(
        demo_model, picture, upscaler="Lanczos", scale=2, request=REQUEST, overlap=16
    )
    assert saved.path is not None and saved.path.parent == tmp_path / "out"
    with Image.open(saved.path) as written:
        assert written.size == (96, 80)
        assert np.array_equal(np.asarray(written.convert("RGB")), np.asarray(expected.image))
    params = read_metadata(saved.path).infotext.params
    assert (params["SD upscale overlap"], params["SD upscale upscaler"]) == ("16", "Lanczos")
    assert (params["Seed"], params["Size"]) == ("5", "64x64")


def test_steps_count_the_tiles_as_a_batch(demo_model, tmp_path: Path) -> None:
    job = _job(tmp_path, random_picture(48, 40))
    steps = [e.payload for e in run_job(demo_model, job) if isinstance(e.payload, StepEvent)]
    assert [(s.image_index, s.step) for s in steps] == [(t, k) for t in range(4) for k in (1, 2)]
    assert {s.batch_count for s in steps} == {4}


def test_a_cancel_in_a_tile_saves_nothing(demo_model, tmp_path: Path) -> None:
    cancel = CancelToken()
    payloads = []
    for event in run_job(demo_model, _job(tmp_path, random_picture(48, 40)), cancel):
        payloads.append(event.payload)
        if isinstance(event.payload, StepEvent) and event.payload.image_index == 1:
            cancel.cancel()
    assert any(isinstance(p, Cancelled) for p in payloads)
    assert not any(isinstance(p, ImageSaved) for p in payloads)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_job_without_a_picture_fails_with_a_message(demo_model, tmp_path: Path) -> None:
    payloads = [event.payload for event in run_job(demo_model, _job(tmp_path, None))]
    (failed,) = [p for p in payloads if isinstance(p, JobFailed)]
    assert "needs a picture" in failed.message


def test_probes_are_refused_with_a_message(demo_model, tmp_path: Path) -> None:
    job = replace(_job(tmp_path, random_picture(48, 40)), probes=ProbeOptions(attention=True))
    payloads = [event.payload for event in run_job(demo_model, job)]
    (failed,) = [p for p in payloads if isinstance(p, JobFailed)]
    assert "without watched modules and attention maps" in failed.message
