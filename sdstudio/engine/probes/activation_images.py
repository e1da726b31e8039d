"""Pictures of one sample's activations: a channel grid, a PCA-to-RGB map, a heat strip.

Inputs are tensors without a batch axis; the heavy part (energies, projections) runs in
torch on the tensor's own device, and only the small result is copied to the CPU. Outputs
are RGB PIL images the GUI shows as they are.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image

from sdstudio.engine.probes.colormaps import colorize
from sdstudio.engine.probes.low_rank import principal_axes

GAP = 2  # pixels between tiles
BACKGROUND = (24, 24, 24)
_EPSILON = 1e-8


def channel_grid(
    feature_map: Any, top_k: int = 16, min_tile: int = 64, max_tile: int = 256
) -> Image.Image:
    """The ``top_k`` channels with the most energy (mean square), strongest first, in a grid.

    Each tile is scaled to its own range, so a quiet channel is as readable as a loud one;
    small maps are enlarged with whole pixels (no blur) to at least ``min_tile``.
    """
    values = _shrink(feature_map.float(), max_tile)
    channels, height, width = values.shape
    count = max(1, min(top_k, channels))
    energy = values.square().mean(dim=(1, 2))
    chosen = values[energy.topk(count).indices]
    low = chosen.amin(dim=(1, 2), keepdim=True)
    high = chosen.amax(dim=(1, 2), keepdim=True)
    tiles = ((chosen - low) / (high - low).clamp_min(_EPSILON)).cpu().numpy()
    scale = max(1, math.ceil(min_tile / max(height, width)))
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    tile_h, tile_w = height * scale, width * scale
    canvas = np.empty((rows * (tile_h + GAP) - GAP, columns * (tile_w + GAP) - GAP, 3), np.uint8)
    canvas[:] = BACKGROUND
    for index, tile in enumerate(tiles):
        top, left = (index // columns) * (tile_h + GAP), (index % columns) * (tile_w + GAP)
        canvas[top : top + tile_h, left : left + tile_w] = colorize(_enlarge(tile, scale))
    return Image.fromarray(canvas, "RGB")


def pca_rgb(feature_map: Any, min_side: int = 64, max_side: int = 512) -> Image.Image:
    """The three main directions of variation across pixels, shown as red, green and blue.

    Pixels whose features are alike get alike colours, so regions the module treats as one
    thing show as one colour. Each component is scaled by 3 standard deviations around grey.
    """
    values = _shrink(feature_map.float(), max_side)
    channels, height, width = values.shape
    pixels = values.reshape(channels, height * width).T
    centered = pixels - pixels.mean(dim=0, keepdim=True)
    projected = centered @ principal_axes(centered, 3)
    spread = projected.std(dim=0, keepdim=True).clamp_min(_EPSILON) * 3
    colours = (0.5 + 0.5 * (projected / spread).clamp(-1, 1)).cpu().numpy()
    if colours.shape[1] < 3:  # fewer than three channels or pixels: pad with grey
        padding = np.full((colours.shape[0], 3 - colours.shape[1]), 0.5, colours.dtype)
        colours = np.concatenate([colours, padding], axis=1)
    rgb = np.rint(colours.reshape(height, width, 3) * 255).astype(np.uint8)
    scale = max(1, math.ceil(min_side / max(height, width)))
    return Image.fromarray(_enlarge(rgb, scale), "RGB")


def heat_strip(rows: Any, row_px: int = 6, min_width: int = 256) -> Image.Image:
    """A rows × features table (e.g. tokens × embedding) as blue/red cells around zero.

    Values are divided by the largest magnitude, so the strongest feature is full red or blue.
    """
    values = rows.float()
    peak = values.abs().amax().clamp_min(_EPSILON)
    scaled = (0.5 + 0.5 * values / peak).cpu().numpy()
    columns = max(1, math.ceil(min_width / scaled.shape[1]))
    cells = np.repeat(np.repeat(scaled, row_px, axis=0), columns, axis=1)
    return Image.fromarray(colorize(cells, "diverging"), "RGB")


def side_by_side(images: list[Image.Image]) -> Image.Image:
    """Pictures in a row, top-aligned, ``GAP`` pixels apart (e.g. negative | prompt half)."""
    width = sum(image.width for image in images) + GAP * (len(images) - 1)
    height = max(image.height for image in images)
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    left = 0
    for image in images:
        canvas.paste(image, (left, 0))
        left += image.width + GAP
    return canvas


def _shrink(values: Any, max_side: int) -> Any:
    """Every n-th pixel of a very large map (a VAE decoder block at 512²), to keep it cheap."""
    stride = max(1, math.ceil(max(values.shape[-2:]) / max_side))
    return values[..., ::stride, ::stride] if stride > 1 else values


def _enlarge(pixels: np.ndarray, scale: int) -> np.ndarray:
    if scale == 1:
        return pixels
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
