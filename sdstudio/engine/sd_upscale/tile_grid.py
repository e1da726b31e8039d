"""A1111's grid of overlapping tiles for "SD upscale": where the tiles go, and joining them.

Tiles have one size (the size the model generates at). Along each axis there are
``ceil((length - overlap) / (tile - overlap))`` of them, evenly spread with their left (top)
edges at ``int(index × step)``, the last one flush with the far edge, so neighbours always
share at least ``overlap`` pixels (``images.split_grid``).

Joining (``images.combine_grid``) goes row by row: each tile after the first in a row is laid
over the row so far, its first ``overlap`` columns faded in through a linear mask
(``int(r × 255 / overlap)`` at column ``r``), the rest pasted as is; then each row after the
first is laid over the picture so far the same way, over its first ``overlap`` rows. Where two
tiles share more than ``overlap`` pixels, the later tile covers the rest.

A picture smaller than a tile on a side is first mirrored out to the tile there (the model
sees a continuing picture rather than a border), and the mirrored part is cut off again after
joining. ``sd_upscale`` runs each tile through img2img in between.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from sdstudio.engine.errors import RequestError

DEFAULT_OVERLAP = 64  # A1111's
Box = tuple[int, int, int, int]


def tile_starts(length: int, tile: int, overlap: int) -> tuple[int, ...]:
    """Where tiles of ``tile`` pixels start along an axis of ``length >= tile`` pixels."""
    count = math.ceil((length - overlap) / (tile - overlap))
    step = (length - tile) / (count - 1) if count > 1 else 0
    return tuple(min(int(index * step), length - tile) for index in range(count))


@dataclass(frozen=True)
class TileGrid:
    """The tiles over a ``width`` × ``height`` picture (already at least a tile each way)."""

    width: int
    height: int
    tile_width: int
    tile_height: int
    overlap: int
    xs: tuple[int, ...]
    ys: tuple[int, ...]

    @classmethod
    def over(cls, size: tuple[int, int], tile: tuple[int, int], overlap: int) -> TileGrid:
        """The grid over a picture of ``size`` (mirrored out to ``tile`` where smaller)."""
        check_overlap(tile, overlap)
        width, height = max(size[0], tile[0]), max(size[1], tile[1])
        return cls(
            width,
            height,
            tile[0],
            tile[1],
            overlap,
            tile_starts(width, tile[0], overlap),
            tile_starts(height, tile[1], overlap),
        )

    @property
    def boxes(self) -> list[Box]:
        """Each tile's box, row by row, left to right: the order tiles are run (and seeded)."""
        return [(x, y, x + self.tile_width, y + self.tile_height) for y in self.ys for x in self.xs]

    def split(self, picture: Image.Image) -> list[Image.Image]:
        """The tiles of ``picture``, in :attr:`boxes` order."""
        covered = _mirrored_out(picture.convert("RGB"), self.width, self.height)
        return [covered.crop(box) for box in self.boxes]

    def combine(self, tiles: Sequence[Image.Image], size: tuple[int, int]) -> Image.Image:
        """The tiles (in :attr:`boxes` order) joined into one picture, cut to ``size``."""
        if len(tiles) != len(self.boxes):
            raise ValueError(f"{len(tiles)} tiles for a grid of {len(self.boxes)}")
        picture = Image.new("RGB", (self.width, self.height))
        columns = len(self.xs)
        for row, y in enumerate(self.ys):
            strip = Image.new("RGB", (self.width, self.tile_height))
            for column, x in enumerate(self.xs):
                tile = tiles[row * columns + column].convert("RGB")
                _lay_over(strip, tile, x, self.overlap if column else 0, across=True)
            _lay_over(picture, strip, y, self.overlap if row else 0, across=False)
        return picture.crop((0, 0, *size))


def check_overlap(tile: tuple[int, int], overlap: int) -> None:
    """An overlap from 0 to half the smaller tile side (A1111's range for 512-pixel tiles):
    more would run ever more tiles for the same picture."""
    smaller = min(tile)
    if overlap < 0 or 2 * overlap > smaller:
        raise RequestError(
            f"The SD upscale overlap must be from 0 to half the tile ({smaller // 2} pixels), "
            f"not {overlap}"
        )


def _lay_over(base: Image.Image, piece: Image.Image, at: int, band: int, across: bool) -> None:
    """``piece`` pasted ``at`` pixels along ``base`` (across: along its width, else down
    its height), faded in over its first ``band`` columns (rows) through A1111's linear mask,
    which is 0 at the shared edge and ``int(r × 255 / band)`` ``r`` pixels in."""
    width, height = piece.size
    if band == 0:
        base.paste(piece, (at, 0) if across else (0, at))
        return
    ramp = (np.arange(band, dtype=np.float32) * 255 / band).astype(np.uint8)
    if across:
        mask = Image.fromarray(np.tile(ramp, (height, 1)), "L")
        base.paste(piece.crop((0, 0, band, height)), (at, 0), mask)
        base.paste(piece.crop((band, 0, width, height)), (at + band, 0))
    else:
        mask = Image.fromarray(np.tile(ramp[:, None], (1, width)), "L")
        base.paste(piece.crop((0, 0, width, band)), (0, at), mask)
        base.paste(piece.crop((0, band, width, height)), (0, at + band))


def _mirrored_out(picture: Image.Image, width: int, height: int) -> Image.Image:
    """``picture`` extended right and down to ``width`` × ``height`` by mirroring it."""
    if picture.size == (width, height):
        return picture
    pixels = np.asarray(picture)
    padding = ((0, height - picture.height), (0, width - picture.width), (0, 0))
    return Image.fromarray(np.pad(pixels, padding, mode="symmetric"), "RGB")
