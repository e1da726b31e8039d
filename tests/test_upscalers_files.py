"""Upscaler model files: found by name in SDSTUDIO_HOME/models/upscalers, listed with the scale
and architecture spandrel finds, and read without running anything a pickle asks for."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.paths import upscalers_dir
from sdstudio.engine.upscalers import available_upscalers, find_upscaler_file, upscale
from tests.random_esrgan import build_random_esrgan, random_picture, save_random_esrgan

NAME = "files-tiny-esrgan"


class RunsAShellCommand:
    """Pickled as a call to ``os.system``: loading it with a plain unpickler would run it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.fixture
def installed() -> Path:
    return save_random_esrgan(upscalers_dir(), NAME)


@pytest.fixture
def code_pickle(tmp_path: Path) -> tuple[Path, Path]:
    """An upscaler ``.pth`` with real weights and a payload beside them; its marker file."""
    marker = tmp_path / "the-payload-ran"
    weights = build_random_esrgan().state_dict()
    path = tmp_path / "trojan.pth"
    torch.save({**weights, "extra": RunsAShellCommand(marker)}, path)
    return path, marker


def test_the_list_shows_pillows_upscalers_and_each_model_with_scale_and_architecture(
    installed: Path,
) -> None:
    listed = {info.name: info for info in available_upscalers()}
    assert {"Lanczos", "Nearest"} <= listed.keys()
    assert (listed[NAME].scale, listed[NAME].architecture) == (4, "ESRGAN")
    assert listed[NAME].path == installed and listed[NAME].usable


def test_a_model_is_found_by_its_name_in_any_case(installed: Path) -> None:
    assert find_upscaler_file(NAME.upper()) == installed


def test_an_unknown_name_is_refused_with_the_known_ones(installed: Path) -> None:
    with pytest.raises(ModelLoadError) as refused:
        find_upscaler_file("4x-UltraSharp")
    message = str(refused.value)
    assert "4x-UltraSharp" in message
    assert "Known: Lanczos, Nearest, " in message and NAME in message
    assert str(upscalers_dir()) in message


def test_a_pickle_that_needs_code_is_refused_and_nothing_runs(code_pickle) -> None:
    path, marker = code_pickle
    with pytest.raises(ModelLoadError) as refused:
        upscale(random_picture(8, 8), str(path), 4, device="cpu")
    assert "trojan.pth needs code execution to load" in str(refused.value)
    assert "system" in str(refused.value)
    assert not marker.exists()


def test_a_refused_file_is_listed_with_the_reason(code_pickle) -> None:
    path, marker = code_pickle
    (listed,) = available_upscalers(path.parent)[2:]
    assert not listed.usable and "needs code execution" in listed.problem
    assert not marker.exists()


def test_a_pth_of_plain_weights_upscales_as_its_safetensors_twin(
    installed: Path, tmp_path: Path
) -> None:
    pth = tmp_path / "twin.pth"
    torch.save(build_random_esrgan().state_dict(), pth)
    picture = random_picture(24, 20)
    from_pth = upscale(picture, str(pth), 4, device="cpu")
    from_safetensors = upscale(picture, NAME, 4, device="cpu")
    assert np.array_equal(np.asarray(from_pth), np.asarray(from_safetensors))


def test_a_file_that_is_not_weights_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.pt"
    path.write_bytes(b"not a model at all")
    with pytest.raises(ModelLoadError, match="notes.pt is damaged or not a PyTorch weights file"):
        upscale(random_picture(8, 8), str(path), 4, device="cpu")


def test_weights_of_no_known_architecture_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mystery.pth"
    torch.save({"encoder.weight": torch.zeros(3, 3)}, path)
    with pytest.raises(ModelLoadError, match="mystery.pth is not an architecture spandrel"):
        upscale(random_picture(8, 8), str(path), 4, device="cpu")
