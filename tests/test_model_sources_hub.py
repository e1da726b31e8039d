"""Hub ids: loaded from the Hugging Face cache without network; downloads only when allowed,
and offline the user is told why nothing was downloaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.hub import _progress_bar_class, looks_like_hub_id
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.load_progress import LoadStage
from sdstudio.engine.models.loading import load_model

REPO_ID = "sdstudio-tests/tiny-sd"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hf-home" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    return cache


def put_in_cache(cache: Path, repo_id: str) -> None:
    """Lay out a model the way snapshot_download leaves it (refs/main -> snapshots/<commit>)."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    shutil.copytree(demo_model_dir(), repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)


def test_a_cached_hub_id_loads_offline(hub_cache):
    put_in_cache(hub_cache, REPO_ID)

    model = load_model(REPO_ID, device="cpu")

    assert model.name == REPO_ID
    assert model.pipeline.unet is not None


def test_an_uncached_hub_id_asks_for_permission_to_download(hub_cache):
    with pytest.raises(ModelLoadError, match="not in the Hugging Face cache.*--allow-download"):
        load_model(REPO_ID, device="cpu")


def test_offline_a_download_request_explains_why_nothing_downloads(hub_cache):
    options = LoadOptions(allow_download=True)

    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE is set"):
        load_model(REPO_ID, device="cpu", options=options)


def test_an_existing_relative_path_is_never_taken_for_a_hub_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "mine").mkdir(parents=True)

    assert not looks_like_hub_id("models/mine")
    assert looks_like_hub_id("stable-diffusion-v1-5/stable-diffusion-v1-5")


def test_download_progress_reaches_the_callback_in_bytes_written():
    reports = []
    bar_class = _progress_bar_class(REPO_ID, reports.append)
    received = bar_class(total=0, unit="B", desc="Downloading bytes")
    written = bar_class(total=0, unit="B", desc="Reconstructing (incomplete total...)")

    written.total, received.total = 2_000, 2_600  # the received total is an over-estimate
    received.update(2_000)
    written.update(500)
    written.update(1_500)
    written.close()

    assert reports[-1].stage is LoadStage.DOWNLOADING
    assert (reports[-1].done, reports[-1].total) == (2_000, 2_000)
