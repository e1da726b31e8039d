"""Shared fixtures: every test gets its own SDSTUDIO_HOME; the demo model is built once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def shared_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One models folder for the whole run, so the demo model is written only once."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def sdstudio_home(
    tmp_path: Path, shared_models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh SDSTUDIO_HOME per test whose ``models`` folder is shared across the run."""
    home = tmp_path / "sdstudio-home"
    home.mkdir()
    (home / "models").symlink_to(shared_models_dir, target_is_directory=True)
    monkeypatch.setenv("SDSTUDIO_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield home


@pytest.fixture(scope="session")
def demo_model(shared_models_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo model loaded on the CPU, shared by tests that only read it."""
    home = tmp_path_factory.mktemp("demo-home")
    (home / "models").symlink_to(shared_models_dir, target_is_directory=True)
    previous = os.environ.get("SDSTUDIO_HOME")
    os.environ["SDSTUDIO_HOME"] = str(home)
    try:
        from sdstudio.engine.model_loading import load_model

        return load_model("demo", device="cpu")
    finally:
        if previous is None:
            os.environ.pop("SDSTUDIO_HOME", None)
        else:
            os.environ["SDSTUDIO_HOME"] = previous
