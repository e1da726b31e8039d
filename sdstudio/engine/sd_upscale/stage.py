"""What turns a job into an SD upscale: the upscaler, the factor and the tiles' overlap.

A job that carries one (``Job.sd_upscale``) upscales its request's init image and refines
it tile by tile with its request's settings, the request's size being the tile's; the job
runner runs it like any other job, so the window's queue, its progress and its cancel, and
the command line share one way to run it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sdstudio.engine.sd_upscale.tile_grid import DEFAULT_OVERLAP


@dataclass(frozen=True)
class SdUpscaleStage:
    """``upscaler`` (Lanczos, Nearest or a model's name) × ``scale``, then tiles of the
    request's size sharing ``overlap`` pixels."""

    upscaler: str
    scale: float
    overlap: int = DEFAULT_OVERLAP
