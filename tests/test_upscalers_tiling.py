"""Tiled upscaling matches what the model makes of the whole picture, shows no seams at the
tiles' edges, and stops between tiles when cancelled.

The model is tests/random_esrgan.py's tiny ESRGAN (4x). Its receptive field reaches about 16
input pixels each way, so with 32-pixel tiles every output pixel misses some of the context
the whole picture gives it: measured on the 96×80 noise picture with 32-pixel tiles and an
8-pixel overlap, the tiled result differs from spandrel's untiled one by at most 18/255 and
by 0.68/255 on average (hard cuts without overlap: 245/255 at most, 2.88/255 on average).
Along the cut lines the largest difference is 14/255, against 18/255 elsewhere (without
overlap: 245/255 along them, 158/255 elsewhere).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.upscalers import UpscaleCancelled, upscale
from sdstudio.engine.upscalers.tiling import tile_spans, upscale_tiled
from tests.random_esrgan import SCALE, random_picture, save_random_esrgan, spandrel_untiled

WIDTH, HEIGHT, TILE, OVERLAP = 96, 80, 32, 8
MAX_DIFFERENCE = 20  # /255; measured 18
MEAN_DIFFERENCE = 1.0  # /255; measured 0.68
ROUNDING = 1  # /255: both results are rounded to bytes, which alone can move a pixel by 1


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_random_esrgan(tmp_path_factory.mktemp("upscalers"))


@pytest.fixture(scope="module")
def untiled(model_file: Path) -> np.ndarray:
    return spandrel_untiled(model_file, random_picture(WIDTH, HEIGHT)).astype(int)


@pytest.fixture(scope="module")
def tiled(model_file: Path) -> np.ndarray:
    """The picture in 32-pixel tiles with an 8-pixel overlap."""
    return _tiled(model_file)


def _tiled(model_file: Path, overlap: int = OVERLAP, tile: int = TILE) -> np.ndarray:
    picture = random_picture(WIDTH, HEIGHT)
    result = upscale(picture, str(model_file), SCALE, device="cpu", tile=tile, overlap=overlap)
    return np.asarray(result).astype(int)


def _cut_edges(length: int, tile: int, overlap: int) -> list[int]:
    """Output rows (or columns) on either side of every place a tile is cut off."""
    spans = tile_spans(length, tile, overlap)
    cuts = {start for start, _ in spans[1:]} | {end for _, end in spans[:-1]}
    return sorted({line for cut in cuts for line in (cut * SCALE - 1, cut * SCALE)})


def _border_and_interior(difference: np.ndarray, overlap: int) -> tuple[int, int]:
    border = np.zeros(difference.shape, dtype=bool)
    border[_cut_edges(HEIGHT, TILE, overlap), :] = True
    border[:, _cut_edges(WIDTH, TILE, overlap)] = True
    return int(difference[border].max()), int(difference[~border].max())


def test_one_tile_gives_exactly_spandrels_output(model_file: Path, untiled: np.ndarray) -> None:
    assert np.array_equal(_tiled(model_file, overlap=0, tile=0), untiled)


def test_tiles_stay_close_to_the_untiled_output(tiled: np.ndarray, untiled: np.ndarray) -> None:
    difference = np.abs(tiled - untiled)
    assert difference.shape == (HEIGHT * SCALE, WIDTH * SCALE, 3)
    assert difference.max() <= MAX_DIFFERENCE
    assert difference.mean() <= MEAN_DIFFERENCE


def test_tile_edges_show_no_seam(tiled: np.ndarray, untiled: np.ndarray) -> None:
    """Along the lines where tiles are cut, the result is no further from the untiled one
    than anywhere else: the feathered blend hides each cut under its neighbour."""
    difference = np.abs(tiled - untiled).max(axis=2)
    border, interior = _border_and_interior(difference, OVERLAP)
    assert border <= interior + ROUNDING


def test_hard_cuts_without_overlap_do_show_as_seams(model_file: Path, untiled) -> None:
    """The seam measure above sees seams: tiles that only touch are worst at their edges."""
    difference = np.abs(_tiled(model_file, overlap=0) - untiled).max(axis=2)
    border, interior = _border_and_interior(difference, 0)
    assert border > interior + ROUNDING


def test_a_network_without_context_is_tiled_exactly() -> None:
    """The blend weights add up to one everywhere: a network that looks at each pixel alone
    gives the same bytes tiled as whole."""

    def nearest(pixels: torch.Tensor) -> torch.Tensor:
        return pixels.repeat_interleave(3, dim=2).repeat_interleave(3, dim=3)

    picture = torch.from_numpy(np.asarray(random_picture(70, 45), dtype=np.float32) / 255)
    pixels = picture.permute(2, 0, 1)
    whole = upscale_tiled(nearest, pixels, 3, tile=0, overlap=0)
    tiled = upscale_tiled(nearest, pixels, 3, tile=20, overlap=6)
    assert torch.equal(tiled, whole)


def test_cancelling_stops_before_the_next_tile(model_file: Path) -> None:
    cancel = CancelToken()
    progress: list[tuple[int, int]] = []

    def on_tile(done: int, total: int) -> None:
        progress.append((done, total))
        cancel.cancel()

    picture = random_picture(WIDTH, HEIGHT)
    with pytest.raises(UpscaleCancelled):
        upscale(
            picture,
            str(model_file),
            SCALE,
            device="cpu",
            tile=TILE,
            overlap=OVERLAP,
            cancel=cancel,
            on_tile=on_tile,
        )
    assert progress == [(1, 12)]


@given(
    length=st.integers(1, 600),
    tile=st.integers(16, 128),
    overlap_share=st.floats(0, 0.49),
)
def test_tiles_cover_the_picture_and_overlap_as_asked(
    length: int, tile: int, overlap_share: float
) -> None:
    overlap = int(tile * overlap_share)
    spans = tile_spans(length, tile, overlap)
    assert spans[0][0] == 0 and spans[-1][1] == length
    assert all(end - start == min(tile, length) for start, end in spans)
    pairs = zip(spans, spans[1:], strict=False)
    assert all(after[0] <= before[1] - overlap for before, after in pairs)
