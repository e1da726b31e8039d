"""A damaged latent-preview cache is fitted again, and a cache that cannot be written never
costs a run its previews (let alone the run)."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import pytest

from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.paths import cache_dir
from sdstudio.engine.previews import PreviewSettings, create_preview_decoder, latent_fit
from sdstudio.engine.previews.extension import PreviewImage
from sdstudio.engine.previews.latent_fit_cache import STALE_AFTER_S, read_fit
from sdstudio.engine.previews.latent_rgb import LatentPreviewDecoder
from tests.previews_support import DemoRun, demo_run

STEPS = 3


@pytest.fixture(scope="module")
def run(demo_model) -> DemoRun:
    return demo_run(demo_model, size=64, steps=STEPS, seed=3)


@pytest.fixture(scope="module")
def sound_fit(demo_model) -> latent_fit.LatentFit:
    """The demo's real fit, made once: fitting takes seconds on a busy CPU."""
    vae = demo_model.pipeline.vae
    return latent_fit.fit_latent_map(vae, demo_model.pipeline.vae_scale_factor)


@pytest.fixture
def fits(monkeypatch, sound_fit) -> list[int]:
    """Each time the map is fitted (the real fit, taken from the module's one)."""
    calls: list[int] = []

    def fit(*_args: object) -> latent_fit.LatentFit:
        calls.append(1)
        return sound_fit

    monkeypatch.setattr(latent_fit, "fit_latent_map", fit)
    monkeypatch.setattr(latent_fit, "_fits", {})
    monkeypatch.setattr(latent_fit, "_failed", set())
    return calls


def _cache_file(demo_model) -> Path:
    """The model's cache file, written by a first fit."""
    latent_fit.latent_fit_for(demo_model)
    latent_fit._fits.clear()  # as in a new process: only the file remains
    (path,) = (cache_dir() / "latent-previews").glob("*.json")
    return path


def _damaged(saved: dict, damage: str) -> dict:
    maps = saved["maps"]
    one_row = [{"weights": [[0.1, 0.2, 0.3]], "bias": [0, 0, 0]} for _ in maps]
    nan_weights = [{"weights": [[float("nan")] * 3] * 4, "bias": [0, 0, 0]} for _ in maps]
    huge_weights = [{"weights": [[1e300] * 3] * 4, "bias": [0, 0, 0]} for _ in maps]
    return {
        "empty": {**saved, "scales": [], "maps": []},
        "string scales": {**saved, "scales": ["big"] * len(maps)},
        "string weights": {**saved, "maps": [{"weights": ["abc"] * 4, "bias": "xyz"}] * len(maps)},
        "negative scales": {**saved, "scales": [-1.0 - i for i in range(len(maps))]},
        "zero scales": {**saved, "scales": [0] * len(maps)},
        "one-row matrix": {**saved, "maps": one_row},
        "NaN weights": {**saved, "maps": nan_weights},
        "huge weights": {**saved, "maps": huge_weights},
        "true as a scale": {**saved, "scales": [True] * len(maps)},
        "a list": [saved],
    }[damage]


DAMAGES = [
    "empty",
    "string scales",
    "string weights",
    "negative scales",
    "zero scales",
    "one-row matrix",
    "NaN weights",
    "huge weights",
    "true as a scale",
    "a list",
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_cache_is_fitted_again_and_previews_look_right(
    demo_model, run, sound_fit, fits, damage
) -> None:
    path = _cache_file(demo_model)
    path.write_text(json.dumps(_damaged(json.loads(path.read_text()), damage)))
    preview = create_preview_decoder(demo_model, PreviewSettings()).decode(run.steps[-1])
    expected = LatentPreviewDecoder(sound_fit.rgb_map).decode(run.steps[-1])
    assert preview.tobytes() == expected.tobytes()
    assert len(fits) == 2  # the first fit, then again instead of the damaged file
    assert read_fit(path, latent_channels=4) is not None  # and the file is sound again


def test_a_cache_nested_too_deeply_for_json_is_fitted_again(demo_model, fits, tmp_path) -> None:
    """json.loads raises RecursionError, not ValueError, on a file nested thousands deep."""
    path = _cache_file(demo_model)
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert read_fit(path, latent_channels=4) is None
    assert _previews_and_problems(_job_events(demo_model, tmp_path)) == (STEPS, [])
    assert len(fits) == 2 and read_fit(path, latent_channels=4) is not None


def _job_events(demo_model, tmp_path: Path) -> list[object]:
    request = GenerationRequest(prompt="a cat", steps=STEPS, width=64, height=64, seed=3)
    job = Job(request, previews=PreviewSettings(), saving=SaveOptions(output_dir=tmp_path))
    return [event.payload for event in run_job(demo_model, job)]


def _previews_and_problems(events: list[object]) -> tuple[int, list[str]]:
    problems = [str(e) for e in events if isinstance(e, (Notice, JobFailed))]
    return sum(isinstance(e, PreviewImage) for e in events), problems


def test_a_run_with_an_empty_cache_shows_every_preview(demo_model, fits, tmp_path) -> None:
    path = _cache_file(demo_model)
    path.write_text(json.dumps({**json.loads(path.read_text()), "scales": [], "maps": []}))
    assert _previews_and_problems(_job_events(demo_model, tmp_path)) == (STEPS, [])


def test_a_full_disk_keeps_the_previews_and_leaves_no_staging_file(
    demo_model, fits, tmp_path, monkeypatch
) -> None:
    """The cache's staging file writes to /dev/full, as on a disk with no space left."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    real_mkstemp = tempfile.mkstemp

    def full_disk(*args: object, **kwargs: object) -> tuple[int, str]:
        handle, name = real_mkstemp(*args, **kwargs)
        if "latent-previews" in str(kwargs.get("dir", "")):
            os.close(handle)
            handle = os.open("/dev/full", os.O_WRONLY)
        return handle, name

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    assert _previews_and_problems(_job_events(demo_model, tmp_path)) == (STEPS, [])
    assert list((cache_dir() / "latent-previews").iterdir()) == []


def test_a_cache_folder_that_cannot_be_made_keeps_the_previews(demo_model, fits, tmp_path) -> None:
    (cache_dir() / "latent-previews").write_text("a file where the folder should be")
    assert _previews_and_problems(_job_events(demo_model, tmp_path)) == (STEPS, [])
    assert _previews_and_problems(_job_events(demo_model, tmp_path)) == (STEPS, [])
    assert len(fits) == 1  # kept in memory for the session


def test_staging_files_left_behind_are_removed(demo_model, fits) -> None:
    folder = _cache_file(demo_model).parent
    left, writing = folder / ".fit-left.json", folder / ".fit-writing.json"
    left.write_text('{"scales": [')
    writing.write_text("")
    old = time.time() - STALE_AFTER_S - 60
    os.utime(left, (old, old))
    latent_fit.latent_fit_for(demo_model)
    assert not left.exists()
    assert writing.exists()  # another process may be writing it right now
