"""SD upscale on the demo model: each tile is our own img2img of the upscaled picture's tile
(seed + tile index), the tiles fade into each other over the overlaps as A1111's linear masks
say, strength 0 keeps the upscaled picture, and a cancel stops between tiles.

The picture is 48×40, upscaled ×2 by Lanczos to 96×80; 64-pixel tiles sharing 16 pixels make a
2×2 grid with tiles at x 0 and 32, y 0 and 16. So columns 32–47 fade from the left tile into
the right one (the right tile alone from 48 on), rows 16–31 from the top row into the bottom.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.sd_upscale_run import sd_upscale
from sdstudio.engine.upscalers import UpscaleCancelled

TILE, OVERLAP = 64, 16
XS, YS = (0, 32), (0, 16)  # where the four tiles of the 96×80 picture start
REQUEST = GenerationRequest(
    "a yellow circle", steps=4, strength=0.5, seed=11, width=TILE, height=TILE
)


def _picture(width: int = 48, height: int = 40) -> Image.Image:
    picture = Image.new("RGB", (width, height), (40, 90, 160))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((4, 4, 28, 28), fill=(230, 200, 30))
    draw.rectangle((30, 14, 45, 37), fill=(200, 40, 40))
    return picture


def _upscaled(picture: Image.Image) -> Image.Image:
    return picture.resize((picture.width * 2, picture.height * 2), Image.Resampling.LANCZOS)


def _img2img(model, init: Image.Image, seed: int) -> np.ndarray:
    """Our img2img of ``init`` with the request's settings and ``seed``, straight from the
    denoising loop (not through the job runner SD upscale uses)."""
    request = replace(REQUEST, init_image=init, seed=seed)
    (finished,) = [e for e in generate(model, request) if isinstance(e, ImageFinished)]
    return np.asarray(finished.image).astype(float)


def _refined(model, picture: Image.Image, request: GenerationRequest = REQUEST) -> np.ndarray:
    result = sd_upscale(
        model, picture, upscaler="Lanczos", scale=2, request=request, overlap=OVERLAP
    )
    return np.asarray(result.image).astype(float)


@pytest.fixture
def tiles(demo_model) -> list[np.ndarray]:
    """The four tiles' own img2img, row by row, tile k with seed 11 + k."""
    upscaled = _upscaled(_picture())
    boxes = [(x, y, x + TILE, y + TILE) for y in YS for x in XS]
    return [
        _img2img(demo_model, upscaled.crop(box), REQUEST.seed + index)
        for index, box in enumerate(boxes)
    ]


def _fade(band: int) -> np.ndarray:
    """A1111's mask: the later tile's weight ``r`` pixels into the band."""
    return (np.arange(band, dtype=np.float32) * 255 / band).astype(np.uint8) / 255


def test_with_one_tile_it_is_img2img_of_the_upscaled_picture(demo_model) -> None:
    picture = _picture(32, 32)  # 64×64 upscaled: exactly one tile
    expected = _img2img(demo_model, _upscaled(picture), REQUEST.seed)
    assert np.abs(_refined(demo_model, picture) - expected).max() <= 2


def test_outside_the_overlaps_each_pixel_is_its_own_tiles(demo_model, tiles) -> None:
    """Tile k ran with seed + k: top-left corner from tile 0, top-right from tile 1, the
    bottom rows from tiles 2 and 3 (no fading there)."""
    refined = _refined(demo_model, _picture())
    assert refined.shape == (80, 96, 3)
    assert np.abs(refined[:16, :32] - tiles[0][:16, :32]).max() <= 1
    assert np.abs(refined[:16, 48:] - tiles[1][:16, 16:]).max() <= 1
    assert np.abs(refined[32:, :32] - tiles[2][16:, :32]).max() <= 1
    assert np.abs(refined[32:, 48:] - tiles[3][16:, 16:]).max() <= 1


def test_across_a_column_overlap_the_left_tile_fades_into_the_right(demo_model, tiles) -> None:
    """Rows 0–15 (the top row of tiles alone): column 32 + r is the left tile's pixel
    weighted 1 - m and the right tile's weighted m = int(r × 255 / 16) / 255."""
    refined = _refined(demo_model, _picture())
    left, right = tiles[0][:16, 32:48], tiles[1][:16, :16]
    weight = _fade(OVERLAP)[None, :, None]
    expected = left * (1 - weight) + right * weight
    band = refined[:16, 32:48]
    assert np.abs(band - expected).max() <= 1
    low, high = np.minimum(left, right), np.maximum(left, right)
    assert ((band >= low - 1) & (band <= high + 1)).all()
    assert np.abs(left - right).mean() > 10  # the tiles differ: the fade is not trivial


def test_across_a_row_overlap_the_top_tile_fades_into_the_bottom(demo_model, tiles) -> None:
    """Columns 0–31 (the left column of tiles alone): row 16 + r is the top tile's pixel
    weighted 1 - m and the bottom tile's weighted m = int(r × 255 / 16) / 255."""
    refined = _refined(demo_model, _picture())
    top, bottom = tiles[0][16:32, :32], tiles[2][:16, :32]
    weight = _fade(OVERLAP)[:, None, None]
    expected = top * (1 - weight) + bottom * weight
    assert np.abs(refined[16:32, :32] - expected).max() <= 1
    assert np.abs(top - bottom).mean() > 10


def test_strength_0_keeps_the_upscaled_picture_exactly(demo_model) -> None:
    """Tolerance 0: no step runs, each tile comes back as it was and the fades blend equal
    pixels. (The smallest strength that runs a step, one step at timestep 1, already
    differs by 27/255 on average here: the demo VAE's own encode-decode loss.)"""
    picture = _picture()
    refined = _refined(demo_model, picture, replace(REQUEST, strength=0.0))
    assert np.array_equal(refined, np.asarray(_upscaled(picture)).astype(float))


def test_a_cancel_between_tiles_stops_before_the_next(demo_model) -> None:
    cancel, calls = CancelToken(), []

    def on_tile(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 1:
            cancel.cancel()

    with pytest.raises(UpscaleCancelled):
        sd_upscale(
            demo_model,
            _picture(),
            upscaler="Lanczos",
            scale=2,
            request=REQUEST,
            overlap=OVERLAP,
            cancel=cancel,
            on_tile=on_tile,
        )
    assert calls == [(0, 4), (1, 4)]


def test_a_batch_is_refused_before_any_work(demo_model) -> None:
    with pytest.raises(RequestError, match="SD upscale makes one picture"):
        _refined(demo_model, _picture(), replace(REQUEST, batch_size=2))
