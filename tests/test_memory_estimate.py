"""A run that cannot fit in memory is refused before it starts, with a message saying what
would fit; the free memory is made up here, so nothing allocates gigabytes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from sdstudio.cli import main
from sdstudio.engine.generation import free_memory, memory_estimate
from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.generation.memory_estimate import RunTooLargeError, check_run_fits
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.models.load_options import LoadOptions

GB = 10**9
TILING_ADVICE = "or enable VAE tiling in the Model menu / --vae-tiling"


@pytest.fixture
def four_gb_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: 4 * GB)


@pytest.fixture
def one_gb_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: GB)


@pytest.fixture
def no_denoising(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused run must not start: if it did, this fails it at once instead of letting
    it allocate gigabytes."""
    from sdstudio.engine.jobs import generation_payloads

    def started(*_args: object) -> None:
        raise AssertionError("the run started")

    monkeypatch.setattr(generation_payloads, "generate", started)


@pytest.fixture(scope="module")
def tiled_demo():
    from sdstudio.engine.models.loading import load_model

    return load_model("demo", device="cpu", options=LoadOptions(vae_tiling=True))


def _request(side: int, **changes) -> GenerationRequest:
    return GenerationRequest("a red circle", steps=1, width=side, height=side, seed=3, **changes)


def _payloads(model, request: GenerationRequest, folder: Path) -> list:
    job = Job(request, saving=SaveOptions(output_dir=folder))
    return [event.payload for event in run_job(model, job)]


def test_a_2048_image_on_the_demo_is_refused_before_any_step(
    demo_model, one_gb_free, no_denoising, tmp_path: Path
) -> None:
    payloads = _payloads(demo_model, _request(2048), tmp_path)
    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert failed.message == (
        "A 2048×2048 image needs about 2.0 GB and 1.0 GB are free: use a smaller size, "
        f"{TILING_ADVICE}."
    )
    assert not any(isinstance(p, (StepEvent, ImageSaved)) for p in payloads)
    assert list(tmp_path.glob("*.png")) == []


def test_above_2048_the_automatic_tiling_is_counted(demo_model, monkeypatch) -> None:
    """Larger pictures decode in tiles even with the switch off (vae_tiling.py), so the
    demo's 4096² run is estimated at 1.5 GB, not the 8.1 GB of a whole decode."""
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: 4 * GB)
    check_run_fits(demo_model, _request(4096))
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: GB)
    with pytest.raises(RunTooLargeError) as refused:
        check_run_fits(demo_model, _request(4096))
    assert str(refused.value) == (
        "A 4096×4096 image needs about 1.5 GB and 1.0 GB are free: use a smaller size."
    )


def test_a_small_image_runs_with_the_same_memory(demo_model, four_gb_free, tmp_path) -> None:
    payloads = _payloads(demo_model, _request(64), tmp_path)
    assert not any(isinstance(p, JobFailed) for p in payloads)
    [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
    assert saved.path is not None and saved.path.is_file()


def test_vae_tiling_gets_the_smaller_estimate(tiled_demo, monkeypatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: 4 * GB)
    check_run_fits(tiled_demo, _request(4096))  # about 1.5 GB: it fits
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: GB)
    with pytest.raises(RunTooLargeError) as refused:
        check_run_fits(tiled_demo, _request(4096))
    # Tiling is on already, so it is not suggested again.
    assert str(refused.value) == (
        "A 4096×4096 image needs about 1.5 GB and 1.0 GB are free: use a smaller size."
    )


def test_tiling_is_only_suggested_when_it_would_fit(demo_model, monkeypatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: GB // 4)
    with pytest.raises(RunTooLargeError) as refused:
        check_run_fits(demo_model, _request(2048))
    assert TILING_ADVICE not in str(refused.value)


def test_a_batch_counts_each_image_in_the_unet(demo_model, monkeypatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: 2 * GB)
    check_run_fits(demo_model, _request(1024, batch_size=8))  # the VAE decodes one at a time
    with pytest.raises(RunTooLargeError) as refused:
        check_run_fits(demo_model, _request(2048, batch_size=8))
    assert str(refused.value).startswith(
        "A batch of 8 2048×2048 images needs about 3.0 GB and 2.0 GB are free: "
        "use a smaller size or fewer images at once"
    )


def test_when_free_memory_is_unknown_nothing_is_refused(demo_model, monkeypatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: None)
    check_run_fits(demo_model, _request(4096))


def test_the_cli_exits_with_the_message_and_writes_nothing(
    one_gb_free, no_denoising, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "big.png"
    args = ["generate", "--prompt", "a cat", "--steps", "1", "--out", str(out)]
    code = main([*args, "--width", "2048", "--height", "2048"])
    err = capsys.readouterr().err
    assert code != 0
    assert "A 2048×2048 image needs about 2.0 GB and 1.0 GB are free" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_free_memory_without_psutil_reads_meminfo(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil now fails
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  8000 kB\nMemFree:  100 kB\nMemAvailable:  2048 kB\n")
    monkeypatch.setattr(free_memory, "MEMINFO", meminfo)
    assert free_memory.free_bytes(torch.device("cpu")) == 2048 * 1024


def test_free_memory_without_meminfo_asks_sysconf(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)
    monkeypatch.setattr(free_memory, "MEMINFO", tmp_path / "missing")
    pages = {"SC_AVPHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(free_memory.os, "sysconf", pages.__getitem__)
    assert free_memory.free_system_bytes() == 4_096_000


def test_free_memory_on_cuda_counts_the_allocator_cache(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda _device: (3 * GB, 24 * GB))
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda _device: 2 * GB)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda _device: GB)
    assert free_memory.free_bytes(torch.device("cuda")) == 4 * GB
