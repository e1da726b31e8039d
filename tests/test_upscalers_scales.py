"""Reaching the size asked for: Pillow's upscalers resize at once; a model's other factors are
reached as A1111 reaches them (run it again while smaller, then Lanczos to the exact size)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.errors import RequestError, UserFacingError
from sdstudio.engine.upscalers import upscale
from tests.random_esrgan import random_picture, save_random_esrgan


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(save_random_esrgan(tmp_path_factory.mktemp("upscalers")))


def _same(first: Image.Image, second: Image.Image) -> bool:
    return first.size == second.size and np.array_equal(np.asarray(first), np.asarray(second))


@pytest.mark.parametrize(
    ("name", "resampling"),
    [("Lanczos", Image.Resampling.LANCZOS), ("Nearest", Image.Resampling.NEAREST)],
)
def test_pillow_upscalers_give_pillows_result_at_the_target_size(name, resampling) -> None:
    picture = random_picture(37, 23)
    result = upscale(picture, name, 2.5)
    assert result.size == (92, 58)  # round(92.5) is 92: round half to even
    assert _same(result, picture.resize((92, 58), resampling))


def test_a_smaller_factor_than_the_models_is_its_output_resized_with_lanczos(model) -> None:
    picture = random_picture(24, 20)
    once = upscale(picture, model, 4, device="cpu")
    assert _same(upscale(picture, model, 2, device="cpu"), once.resize((48, 40), Image.LANCZOS))


def test_a_larger_factor_runs_the_model_again_then_resizes_with_lanczos(model) -> None:
    picture = random_picture(12, 10)
    twice = upscale(upscale(picture, model, 4, device="cpu"), model, 4, device="cpu")
    expected = twice.resize((72, 60), Image.LANCZOS)
    assert _same(upscale(picture, model, 6, device="cpu"), expected)


def test_transparency_is_kept(model) -> None:
    picture = random_picture(16, 12).convert("RGBA")
    picture.putalpha(Image.linear_gradient("L").resize((16, 12)))
    result = upscale(picture, model, 4, device="cpu")
    assert result.mode == "RGBA"
    expected_alpha = picture.getchannel("A").resize((64, 48), Image.LANCZOS)
    assert _same(result.getchannel("A"), expected_alpha)


@pytest.mark.parametrize("scale", [0, -2, float("nan")])
def test_a_factor_that_is_not_above_zero_is_refused(scale) -> None:
    with pytest.raises(RequestError, match="must be a number above 0"):
        upscale(random_picture(8, 8), "Lanczos", scale)


def test_a_result_beyond_the_largest_side_is_refused() -> None:
    with pytest.raises(RequestError, match="too large"):
        upscale(random_picture(100, 10), "Lanczos", 200)


@pytest.mark.parametrize(("tile", "overlap"), [(8, 0), (32, 16), (64, -1)])
def test_impossible_tiles_are_refused(model, tile: int, overlap: int) -> None:
    with pytest.raises(RequestError, match="tile"):
        upscale(random_picture(8, 8), model, 4, device="cpu", tile=tile, overlap=overlap)


def test_a_model_path_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="No upscaler named"):
        upscale(random_picture(8, 8), str(tmp_path / "gone.pth"), 4, device="cpu")
