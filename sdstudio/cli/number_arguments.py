"""Numbers read from the command line: ``float()`` also takes ``nan`` and ``inf``, which no
setting can use (a NaN CFG scale is written into the image's metadata, an infinite one makes
a black picture), so every float option is read with :func:`finite_float` (defined beside
the schema's options in the engine, which the window's prompts lines read too)."""

from __future__ import annotations

from sdstudio.engine.jobs.setting_options import finite_float

__all__ = ["finite_float"]
