"""Running an upscaler over a picture of any size, one tile at a time, without seams.

The picture is cut into overlapping tiles, evenly spaced so that neighbours share at least
``overlap`` pixels. Each tile is upscaled alone; near its edges a tile lacks the context the
network would see in the whole picture, so in the shared bands neighbours are cross-faded with
linear (feathered) weights that fall towards each tile's cut edge, and a cut edge never shows
as a line. A tile's weight is a product of a row weight and a column weight, so the sum of
all weights is a product too and each tile can be normalised as it arrives.

Memory stays bounded by the tile: one tile runs on the device at a time, and only the band of
rows the current row of tiles covers is kept in float; rows no later tile reaches are turned
into bytes at once. The cancel token is checked before every tile.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from sdstudio.engine.cancel import CancelToken

if TYPE_CHECKING:
    import torch

Span = tuple[int, int]


class UpscaleCancelled(Exception):
    """The cancel token was set between two tiles; no picture is produced."""


def tile_spans(length: int, tile: int, overlap: int) -> list[Span]:
    """``(start, end)`` spans of at most ``tile`` pixels covering ``[0, length)``, evenly
    spaced, each sharing at least ``overlap`` pixels with the next; one span when ``tile`` is
    0 or the length fits."""
    if tile <= 0 or length <= tile:
        return [(0, length)]
    count = math.ceil((length - overlap) / (tile - overlap))
    step = (length - tile) / (count - 1)
    return [(round(index * step), round(index * step) + tile) for index in range(count)]


def feather_weights(spans: list[Span], scale: int) -> list[torch.Tensor]:
    """Per span, its weight along the upscaled axis, normalised so that all spans' weights
    sum to 1 at every pixel: ramps over the bands shared with the neighbours, 1 elsewhere."""
    import torch

    raw = []
    for index, (start, end) in enumerate(spans):
        weight = torch.ones((end - start) * scale)
        before = (spans[index - 1][1] - start) * scale if index > 0 else 0
        after = (end - spans[index + 1][0]) * scale if index < len(spans) - 1 else 0
        if before > 0:
            weight[:before] = torch.minimum(weight[:before], _ramp(before))
        if after > 0:
            weight[-after:] = torch.minimum(weight[-after:], _ramp(after).flip(0))
        raw.append(weight)
    total = torch.zeros(spans[-1][1] * scale)
    for (start, end), weight in zip(spans, raw, strict=True):
        total[start * scale : end * scale] += weight
    return [
        weight / total[start * scale : end * scale]
        for (start, end), weight in zip(spans, raw, strict=True)
    ]


def _ramp(length: int) -> torch.Tensor:
    """Rising from near 0 to near 1 over ``length`` pixels, sampled at pixel centres."""
    import torch

    return (torch.arange(length, dtype=torch.float32) + 0.5) / length


def upscale_tiled(
    network: Callable[[torch.Tensor], torch.Tensor],
    pixels: torch.Tensor,
    scale: int,
    tile: int,
    overlap: int,
    cancel: CancelToken | None = None,
    on_tile: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """``pixels`` ([channels, height, width], floats in 0..1 on the CPU) upscaled ``scale``
    times as bytes [height, width, channels]. ``network`` takes and returns [1, C, h, w]
    float tensors on the CPU; ``on_tile(done, total)`` follows the progress."""
    import torch

    channels, height, width = pixels.shape
    rows, columns = tile_spans(height, tile, overlap), tile_spans(width, tile, overlap)
    row_weights, column_weights = feather_weights(rows, scale), feather_weights(columns, scale)
    result = torch.empty((height * scale, width * scale, channels), dtype=torch.uint8)
    band = torch.zeros((channels, 0, width * scale))
    band_top = 0  # the first output row the band holds; rows above it are finished
    total, done = len(rows) * len(columns), 0
    for (top, bottom), row_weight in zip(rows, row_weights, strict=True):
        finished = top * scale - band_top
        result[band_top : top * scale] = _to_bytes(band[:, :finished])
        band = band[:, finished:]
        band_top = top * scale
        grown = bottom * scale - band_top - band.shape[1]
        band = torch.cat([band, torch.zeros((channels, grown, width * scale))], dim=1)
        for (left, right), column_weight in zip(columns, column_weights, strict=True):
            if cancel is not None and cancel.cancelled:
                raise UpscaleCancelled
            upscaled = network(pixels[None, :, top:bottom, left:right])[0]
            expected = (channels, (bottom - top) * scale, (right - left) * scale)
            if tuple(upscaled.shape) != expected:
                raise RuntimeError(f"the upscaler made {tuple(upscaled.shape)}, not {expected}")
            weight = row_weight[:, None] * column_weight[None, :]
            rows_in_band = slice(top * scale - band_top, bottom * scale - band_top)
            band[:, rows_in_band, left * scale : right * scale] += upscaled * weight
            done += 1
            if on_tile is not None:
                on_tile(done, total)
    result[band_top:] = _to_bytes(band)
    return result


def _to_bytes(channels_first: torch.Tensor) -> torch.Tensor:
    """Floats in 0..1, [C, h, w], as rounded bytes [h, w, C], the usual image conversion."""
    import torch

    return channels_first.mul(255).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0)
