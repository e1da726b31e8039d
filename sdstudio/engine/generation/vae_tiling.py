"""VAE tiling turned on for large pictures, even when the user's switch is off.

Untiled decoding is exact and the fastest, but its memory grows with the picture: about
7.4 tensors of the decoder's first-level channels a pixel (``memory_estimate``), 16 GB in
float32 for an SD or SDXL VAE at 2048×2048. Diffusers' tiling (``vae.enable_tiling()``)
decodes and encodes tiles of the VAE's ``sample_size`` one at a time and blends their
overlaps, for a fraction of that (``docs/PERFORMANCE.md``, ``benchmarks/tiled_decode.py``),
but each tile's GroupNorm sees only that tile, so colours can shift between tiles (a lot on
the demo's small VAE) and it takes longer. Pictures of more than :data:`AUTO_TILING_PIXELS`
are therefore tiled automatically, where untiled decoding needs more memory than most GPUs
have; smaller ones stay exact unless the user turns tiling on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sdstudio.engine.generation.events import Notice

AUTO_TILING_PIXELS = 2048 * 2048
VAE_TILING_TOPIC = "vae-tiling"


def tiles_automatically(vae: Any, width: int, height: int) -> bool:
    """Whether a ``width`` × ``height`` picture is decoded in tiles only because it is large
    (the user's switch is off, and the VAE can tile)."""
    can_tile = hasattr(vae, "use_tiling") and hasattr(vae, "enable_tiling")
    return can_tile and not vae.use_tiling and width * height > AUTO_TILING_PIXELS


@contextlib.contextmanager
def tiled_when_large(vae: Any, width: int, height: int) -> Iterator[None]:
    """Diffusers' tiling on inside the block for a picture that :func:`tiles_automatically`,
    off again after it."""
    if not tiles_automatically(vae, width, height):
        yield
        return
    vae.enable_tiling()
    try:
        yield
    finally:
        vae.disable_tiling()


def tiling_notice(width: int, height: int) -> Notice:
    """What a run that tiles automatically tells the user, once."""
    limit = round(AUTO_TILING_PIXELS**0.5)
    return Notice(
        f"The {width}×{height} picture is decoded in tiles to fit in memory (VAE tiling is "
        f"automatic above {limit}×{limit} pixels); colours can shift slightly between tiles.",
        VAE_TILING_TOPIC,
    )
