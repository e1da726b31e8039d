"""Autosave: every image lands under a fresh number, whole or not at all, and lists newest first."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.metadata import autosave
from sdstudio.engine.metadata.autosave import save_generation, save_png_to
from sdstudio.engine.metadata.history import list_saved_images
from sdstudio.engine.metadata.model_hash import model_hash_if_ready
from sdstudio.engine.metadata.png_chunks import read_metadata
from sdstudio.engine.metadata.record import GenerationRecord, record_for
from sdstudio.engine.metadata.restore import restore_settings
from tests.helpers import noise_image, run_events


def record(seed: int = 1) -> GenerationRecord:
    return GenerationRecord(prompt="a fox", seed=seed, width=16, height=16)


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder chosen by the user (as with ``--output-dir``)."""
    folder = tmp_path / "chosen-output"
    folder.mkdir()
    return folder


def test_default_location_is_todays_folder_with_number_and_seed(sdstudio_home: Path) -> None:
    path = save_generation(noise_image(16, 16), record(seed=123))
    assert path == sdstudio_home / "outputs" / date.today().isoformat() / "00001-123.png"


def test_saved_file_has_the_images_pixels(out: Path) -> None:
    image = noise_image(16, 16, seed=3)
    path = save_generation(image, record(), out)
    with Image.open(path) as saved:
        assert np.array_equal(np.asarray(saved.convert("RGB")), np.asarray(image))


def test_numbers_continue_after_existing_files_which_stay_untouched(out: Path) -> None:
    (out / "00007-99.png").write_bytes(b"keep me")
    path = save_generation(noise_image(16, 16), record(seed=5), out)
    assert path.name == "00008-5.png"
    assert (out / "00007-99.png").read_bytes() == b"keep me"


def test_a_name_taken_after_the_scan_is_never_overwritten(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in (1, 2, 3):
        (out / f"{number:05d}-5.png").write_bytes(b"other saver")
    monkeypatch.setattr(autosave, "next_number", lambda folder: 1)  # a stale scan
    path = save_generation(noise_image(16, 16), record(seed=5), out)
    assert path.name == "00004-5.png"
    assert {(out / f"{n:05d}-5.png").read_bytes() for n in (1, 2, 3)} == {b"other saver"}


def test_a_number_taken_under_another_seed_is_not_reused(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (out / "00001-99.png").write_bytes(b"other saver")
    monkeypatch.setattr(autosave, "next_number", lambda folder: 1)  # a stale scan
    path = save_generation(noise_image(16, 16), record(seed=5), out)
    assert (path.name, names(out)) == ("00002-5.png", ["00001-99.png", "00002-5.png"])


def test_concurrent_savers_each_get_their_own_file(out: Path) -> None:
    saved: list[Path] = []

    def saver(seed: int) -> None:
        for _ in range(3):
            saved.append(save_generation(noise_image(16, 16, seed), record(seed), out))

    threads = [threading.Thread(target=saver, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(saved)) == 18
    assert names(out) == sorted(path.name for path in saved)
    assert len({path.name[:5] for path in saved}) == 18  # a number is never used twice


def test_failure_mid_write_leaves_no_file(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def write_half_then_fail(image: Image.Image, stream, filename) -> None:
        stream.write(b"\x89PNG half an image")
        raise OSError("disk full")

    monkeypatch.setitem(Image.SAVE, "PNG", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save_generation(noise_image(16, 16), record(), out)
    assert names(out) == []


def test_without_hard_links_numbering_still_never_overwrites(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    (out / "00001-1.png").write_bytes(b"keep me")
    monkeypatch.setattr(autosave, "next_number", lambda folder: 1)
    path = save_generation(noise_image(16, 16), record(), out)
    assert (path.name, names(out)) == ("00002-1.png", ["00001-1.png", "00002-1.png"])
    assert read_metadata(path).record == record()


def test_named_file_is_replaced_whole_with_parameters(out: Path) -> None:
    target = out / "mine.png"
    target.write_bytes(b"old")
    assert save_png_to(noise_image(16, 16), record(seed=8), target) == target
    assert read_metadata(target).record == record(seed=8)
    assert names(out) == ["mine.png"]


def test_history_lists_newest_first_across_day_folders(out: Path) -> None:
    older = save_generation(noise_image(16, 16), record(1), out / "2024-01-01")
    newer = save_generation(noise_image(16, 16), record(2), out / "2024-01-02")
    loose = save_generation(noise_image(16, 16), record(3), out)
    for seconds, path in enumerate((older, newer, loose)):
        os.utime(path, (1_700_000_000 + seconds, 1_700_000_000 + seconds))
    (out / ".saving-abc.png").write_bytes(b"in progress")
    assert list_saved_images(out) == [loose, newer, older]
    assert list_saved_images(out, limit=1) == [loose]


def test_history_defaults_to_the_outputs_folder() -> None:
    path = save_generation(noise_image(16, 16), record())
    assert list_saved_images() == [path]


def test_generated_image_saves_and_restores_its_request(demo_model) -> None:
    request = GenerationRequest(
        prompt="a red\nfox", negative_prompt="blur", steps=2, seed=11, width=64, height=64,
        batch_count=2,
    )  # fmt: skip
    model_hash = model_hash_if_ready(demo_model.source, wait=30)
    paths = [
        save_generation(event.image, record_for(request, demo_model, event.seed, model_hash))
        for event in run_events(demo_model, request)
        if isinstance(event, ImageFinished)
    ]
    assert [path.name for path in paths] == ["00001-11.png", "00002-12.png"]
    restored = restore_settings(read_metadata(paths[1])).settings
    assert GenerationRequest(**restored) == GenerationRequest(
        prompt="a red\nfox", negative_prompt="blur", steps=2, seed=12, width=64, height=64
    )
    assert read_metadata(paths[1]).infotext.params["Model hash"] == model_hash
