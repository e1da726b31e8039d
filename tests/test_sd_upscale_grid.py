"""SD upscale's tile grid, without a model: tiles where A1111's ``split_grid`` puts them, a
split picture joined again unchanged, and pictures smaller than a tile."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.errors import RequestError
from sdstudio.engine.sd_upscale.tile_grid import TileGrid
from tests.random_esrgan import random_picture


def test_tiles_start_where_a1111_puts_them() -> None:
    """192×128 in 64-pixel tiles sharing 16: four columns spread evenly (step 42.67,
    truncated), three rows (step 32), as A1111's ``images.split_grid``."""
    grid = TileGrid.over((192, 128), (64, 64), 16)
    assert (grid.xs, grid.ys) == ((0, 42, 85, 128), (0, 32, 64))


def test_a_split_picture_joins_back_unchanged() -> None:
    """Where neighbours hold the same pixels, fading one into the other changes nothing."""
    picture = random_picture(150, 100)
    grid = TileGrid.over(picture.size, (64, 48), 20)
    joined = grid.combine(grid.split(picture), picture.size)
    assert np.array_equal(np.asarray(joined), np.asarray(picture))


def test_a_picture_smaller_than_a_tile_is_mirrored_out_to_it() -> None:
    picture = random_picture(40, 64)
    (tile,) = TileGrid.over(picture.size, (64, 64), 16).split(picture)
    pixels, original = np.asarray(tile), np.asarray(picture)
    assert tile.size == (64, 64)
    assert np.array_equal(pixels[:, :40], original)
    assert np.array_equal(pixels[:, 40:64], original[:, 39:15:-1])


def test_an_overlap_over_half_the_tile_is_refused() -> None:
    with pytest.raises(RequestError, match="overlap must be from 0 to half the tile"):
        TileGrid.over((256, 256), (64, 64), 40)


def test_joining_needs_one_picture_per_tile() -> None:
    grid = TileGrid.over((128, 64), (64, 64), 16)
    with pytest.raises(ValueError, match="1 tiles for a grid of 3"):
        grid.combine([Image.new("RGB", (64, 64))], (128, 64))
