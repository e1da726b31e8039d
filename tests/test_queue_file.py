"""The queue on disk: jobs come back as they were, a crash mid-save keeps the old queue, and a
damaged file is set aside with a message instead of stopping the app."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.queue_file import QueuedJob, QueueFile
from sdstudio.engine.networks.selection import NetworkFolders
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.sd_upscale.stage import SdUpscaleStage


def _inpainting_job() -> Job:
    init = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8))
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 32, 64))
    request = GenerationRequest(
        "a red square (on:1.2) the left",
        negative_prompt="blue",
        steps=12,
        seed=99,
        width=64,
        height=64,
        scheduler="DPM++ 2M",
        init_image=init,
        mask=mask,
        mask_blur=2,
        inpaint_area="masked",
        strength=0.8,
    )
    return Job(
        request,
        previews=PreviewSettings(PreviewKind.TAESD, every_n_steps=2),
        probes=ProbeOptions(watch=("unet.mid_block",), attention=True),
        saving=SaveOptions(output_dir=Path("/tmp/out")),
        networks=NetworkFolders(loras=(Path("/tmp/loras"),)),
    )


def test_a_saved_queue_comes_back_as_it_was(tmp_path: Path) -> None:
    job = _inpainting_job()
    queue = QueueFile(tmp_path)
    queue.save([QueuedJob(job, "demo-inpainting"), QueuedJob(Job(GenerationRequest("x")))])

    loaded = QueueFile(tmp_path).load()

    assert loaded.messages == []
    first, second = loaded.jobs
    assert first.model == "demo-inpainting" and first.state == "pending"
    assert first.job.id == job.id and first.job.request == job.request  # images aside
    assert first.job.previews == job.previews and first.job.probes == job.probes
    assert first.job.saving == job.saving and first.job.networks == job.networks
    for name in ("init_image", "mask"):
        ours, theirs = getattr(first.job.request, name), getattr(job.request, name)
        assert ours.mode == theirs.mode and ours.tobytes() == theirs.tobytes()
    assert second.job.request.prompt == "x"


def test_a_job_that_was_running_is_pending_again(tmp_path: Path) -> None:
    QueueFile(tmp_path).save([QueuedJob(Job(GenerationRequest("x")), state="running")])
    assert QueueFile(tmp_path).load().jobs[0].state == "pending"


def test_a_job_sent_to_a_server_keeps_its_address_and_never_the_token(tmp_path: Path) -> None:
    sent = QueuedJob(Job(GenerationRequest("there")), server="http://gpu-box:7861")
    QueueFile(tmp_path).save([sent, QueuedJob(Job(GenerationRequest("here")))])
    entries = json.loads((tmp_path / "queue.json").read_text(encoding="utf-8"))["jobs"]
    assert entries[0]["server"] == "http://gpu-box:7861"
    assert "server" not in entries[1] and "token" not in json.dumps(entries)

    there, here = QueueFile(tmp_path).load().jobs
    assert there == sent and there.server == "http://gpu-box:7861"
    assert here.server is None


def test_a_queue_file_from_before_servers_loads_every_job_as_local(tmp_path: Path) -> None:
    QueueFile(tmp_path).save([QueuedJob(Job(GenerationRequest("old")))])
    data = json.loads((tmp_path / "queue.json").read_text(encoding="utf-8"))
    assert all("server" not in entry for entry in data["jobs"])  # as older versions wrote
    data["jobs"].append({**data["jobs"][0], "id": "odd", "server": 42})  # not an address
    (tmp_path / "queue.json").write_text(json.dumps(data), encoding="utf-8")
    old, odd = QueueFile(tmp_path).load().jobs
    assert old.server is None and odd.server is None


def test_a_crash_while_saving_keeps_the_previous_queue(tmp_path: Path, monkeypatch) -> None:
    queue = QueueFile(tmp_path)
    queue.save([QueuedJob(Job(GenerationRequest("kept")))])

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("sdstudio.engine.jobs.queue_file.os.replace", crash)
    with pytest.raises(OSError):
        queue.save([QueuedJob(Job(GenerationRequest("lost")))])
    monkeypatch.undo()
    assert [q.job.request.prompt for q in QueueFile(tmp_path).load().jobs] == ["kept"]


@pytest.mark.parametrize("text", ["{not json", '{"jobs": 5}', "[]", ""])
def test_a_damaged_queue_file_is_set_aside_with_a_message(tmp_path: Path, text: str) -> None:
    (tmp_path / "queue.json").write_text(text, encoding="utf-8")

    loaded = QueueFile(tmp_path).load()

    assert loaded.jobs == []
    assert "set aside as queue.json.damaged-" in loaded.messages[0]
    assert not (tmp_path / "queue.json").exists()
    assert len(list(tmp_path.glob("queue.json.damaged-*"))) == 1


def test_a_job_that_cannot_be_used_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    queue = QueueFile(tmp_path)
    queue.save([QueuedJob(Job(GenerationRequest("one"))), QueuedJob(Job(GenerationRequest("two")))])
    text = (tmp_path / "queue.json").read_text(encoding="utf-8")
    (tmp_path / "queue.json").write_text(text.replace('"steps": 20', '"steps": -3', 1), "utf-8")

    loaded = QueueFile(tmp_path).load()

    assert [q.job.request.prompt for q in loaded.jobs] == ["two"]
    assert loaded.messages[0].startswith("Queued job 1 could not be restored: steps")


def test_images_of_jobs_no_longer_queued_are_removed(tmp_path: Path) -> None:
    queue = QueueFile(tmp_path)
    queue.save([QueuedJob(_inpainting_job())])
    assert len(list((tmp_path / "images").glob("*.png"))) == 2
    queue.save([])
    assert list((tmp_path / "images").glob("*.png")) == []


def test_an_sd_upscale_comes_back_with_its_picture(tmp_path: Path) -> None:
    picture = Image.fromarray(np.random.default_rng(1).integers(0, 255, (40, 48, 3), np.uint8))
    stage = SdUpscaleStage("Lanczos", 2.5, 24)
    job = Job(GenerationRequest("tiles", init_image=picture, strength=0.3), sd_upscale=stage)
    QueueFile(tmp_path).save([QueuedJob(job), QueuedJob(Job(GenerationRequest("x")))])

    first, second = QueueFile(tmp_path).load().jobs

    assert first.job.sd_upscale == stage and second.job.sd_upscale is None
    assert first.job.request.init_image.tobytes() == picture.tobytes()


def test_a_damaged_sd_upscale_is_reported_and_the_rest_restored(tmp_path: Path) -> None:
    job = Job(GenerationRequest("tiles"), sd_upscale=SdUpscaleStage("Lanczos", 2.0))
    QueueFile(tmp_path).save([QueuedJob(job), QueuedJob(Job(GenerationRequest("x")))])
    data = json.loads(QueueFile(tmp_path).path.read_text("utf-8"))
    data["jobs"][0]["sd_upscale"] = "Lanczos"
    QueueFile(tmp_path).path.write_text(json.dumps(data), "utf-8")

    loaded = QueueFile(tmp_path).load()

    assert [queued.job.request.prompt for queued in loaded.jobs] == ["x"]
    assert loaded.messages == [
        "Queued job 1 could not be restored: its SD upscale is not an object"
    ]
