"""A1111's "SD upscale": a picture upscaled, then refined by img2img tile by tile, the tiles
joined with linear fades over their overlaps. What it is, here; how it runs, in ``jobs``
(``jobs/sd_upscale_run.py``: the tiles through the job's own generation; and
``jobs/sd_upscale_job.py``: a job with ``sd_upscale`` set, saved as a job saves).

- ``stage.SdUpscaleStage``: what a job carries to be an SD upscale (upscaler, factor, overlap);
- ``checks.check_sd_upscale``: what its settings cannot be, checked before any work;
- ``result.SdUpscaled``: the picture, and the PNG text to save it with;
- ``tile_grid.TileGrid``: where the tiles go and how they are joined.

A package of its own rather than part of ``upscalers``: the denoising loop (through the hires
fix) uses the upscalers, and jobs use this, so each stays one-way. Nothing is imported here,
and nothing here loads torch, so that the window and the command line's options read it.
"""
