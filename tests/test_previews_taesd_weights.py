"""Where TAESD weights come from: a path per family, the default folder, the hub when allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job
from sdstudio.engine.jobs.queue_file import QueuedJob, QueueFile
from sdstudio.engine.models.families import SD1, SDXL
from sdstudio.engine.previews.settings import PreviewError, PreviewKind, PreviewSettings
from sdstudio.engine.previews.taesd_weights import (
    TaesdUnavailable,
    default_taesd_dir,
    taesd_source,
)


def _weights_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    return folder


def test_each_family_gets_the_weights_chosen_for_its_latents(tmp_path: Path) -> None:
    sd = _weights_folder(tmp_path / "taesd")
    xl = _weights_folder(tmp_path / "taesdxl")
    settings = PreviewSettings(
        PreviewKind.TAESD, taesd_paths=(("taesd", str(sd)), ("taesdxl", str(xl)))
    )
    assert taesd_source(settings, SD1) == sd
    assert taesd_source(settings, SDXL) == xl


def test_sd_weights_are_not_used_for_sdxl(tmp_path: Path) -> None:
    """Both decode 4-channel latents, so only the paths keep SDXL from wrong colours."""
    sd = _weights_folder(tmp_path / "taesd")
    settings = PreviewSettings(PreviewKind.TAESD, taesd_paths=(("taesd", str(sd)),))
    with pytest.raises(TaesdUnavailable, match="madebyollin/taesdxl"):
        taesd_source(settings, SDXL)


def test_the_command_lines_path_serves_every_family(tmp_path: Path) -> None:
    weights = _weights_folder(tmp_path / "any")
    settings = PreviewSettings(PreviewKind.TAESD, taesd_path=str(weights))
    assert taesd_source(settings, SDXL) == weights


def test_the_default_folder_is_used_without_a_setting() -> None:
    folder = default_taesd_dir(SDXL)
    _weights_folder(folder)
    try:
        assert taesd_source(PreviewSettings(PreviewKind.TAESD), SDXL) == folder
    finally:
        (folder / "config.json").unlink()
        folder.rmdir()


def test_allowing_the_download_names_the_hub_repository() -> None:
    settings = PreviewSettings(PreviewKind.TAESD, allow_download=True)
    assert taesd_source(settings, SD1) == "madebyollin/taesd"
    assert taesd_source(settings, SDXL) == "madebyollin/taesdxl"


def test_a_wrong_path_is_refused_even_when_downloads_are_allowed(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    settings = PreviewSettings(
        PreviewKind.TAESD, taesd_paths=(("taesd", str(missing)),), allow_download=True
    )
    with pytest.raises(TaesdUnavailable, match=f"TAESD weights not found: {missing}"):
        taesd_source(settings, SD1)


def test_without_weights_the_message_says_every_way_to_get_them() -> None:
    with pytest.raises(TaesdUnavailable) as caught:
        taesd_source(PreviewSettings(PreviewKind.TAESD), SD1)
    message = str(caught.value)
    assert "Preferences" in message and "--taesd PATH" in message
    assert "madebyollin/taesd" in message and str(default_taesd_dir(SD1)) in message


def test_bad_taesd_paths_are_refused() -> None:
    with pytest.raises(PreviewError, match="variant, path"):
        PreviewSettings(PreviewKind.TAESD, taesd_paths=(("taesd",),))


def test_taesd_choices_survive_the_queue_file(tmp_path: Path) -> None:
    previews = PreviewSettings(
        PreviewKind.TAESD, taesd_paths=(("taesdxl", "/weights/xl"),), allow_download=True
    )
    job = Job(GenerationRequest(prompt="a cat"), previews=previews)
    QueueFile(tmp_path).save([QueuedJob(job, "demo")])
    (restored,) = QueueFile(tmp_path).load().jobs
    assert restored.job.previews == previews
    assert restored.job.previews.taesd_path_for("taesdxl") == "/weights/xl"
