"""Shared fixtures: every test gets its own SDSTUDIO_HOME; the demo model is loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdstudio.serve.local_ray import prepare_local_ray

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_local_ray()  # the server tests run Serve as `sdstudio serve` does; it reads them on import


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
        from sdstudio.engine.models.loading import load_model

        return load_model("demo", device="cpu")
    finally:
        if previous is None:
            os.environ.pop("SDSTUDIO_HOME", None)
        else:
            os.environ["SDSTUDIO_HOME"] = previous


@pytest.fixture(scope="session")
def sdxl_model(tmp_path_factory: pytest.TempPathFactory):
    """The tests' tiny random SDXL model (tests/random_sdxl_model.py) loaded from its folder
    on the CPU, shared by tests that only read it."""
    from sdstudio.engine.models.loading import load_model
    from tests.random_sdxl_model import build_random_sdxl_pipeline

    folder = tmp_path_factory.mktemp("sdxl") / "tiny-sdxl"
    build_random_sdxl_pipeline().save_pretrained(folder, safe_serialization=True)
    return load_model(str(folder), device="cpu")


@pytest.fixture(scope="session")
def sdxl_refiner(tmp_path_factory: pytest.TempPathFactory):
    """The tests' tiny random SDXL refiner (one OpenCLIP encoder, aesthetic score ids),
    loaded from its folder on the CPU, shared by tests that only read it."""
    from sdstudio.engine.models.loading import load_model
    from tests.random_sdxl_model import build_random_sdxl_pipeline

    folder = tmp_path_factory.mktemp("sdxl") / "tiny-sdxl-refiner"
    build_random_sdxl_pipeline(refiner=True).save_pretrained(folder, safe_serialization=True)
    return load_model(str(folder), device="cpu")


@pytest.fixture(autouse=True)
def no_qthread_left_running(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a QThread running (at exit it would warn or crash)."""
    from PySide6.QtCore import QThread

    started: list[QThread] = []
    original_start = QThread.start

    def tracking_start(thread: QThread, *args: object) -> None:
        started.append(thread)
        original_start(thread, *args)

    monkeypatch.setattr(QThread, "start", tracking_start)
    yield
    running = []
    for thread in started:
        try:
            if thread.isRunning():
                running.append(thread.objectName() or repr(thread))
        except RuntimeError:  # its C++ object is gone, so it is not running
            pass
    assert not running, f"QThreads left running: {running}"


@pytest.fixture
def run_async(qapp):
    """``run(awaitable)`` runs it to completion on a qasync loop; ``run()`` runs pending tasks.

    For coroutines that await Qt signals (the smoke test's driver); background jobs in the
    app do not need it (wait for their signals with ``qtbot``).
    """
    import asyncio

    from sdstudio.ui.qt import QEventLoop

    loop = QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    def run(awaitable=None):
        if awaitable is None:
            awaitable = asyncio.gather(*asyncio.all_tasks(loop))
        return loop.run_until_complete(awaitable)

    yield run
    loop.close()  # also stops the executor's threads
    asyncio.set_event_loop(None)
