"""A1111's "SD upscale": a picture upscaled, then refined by img2img tile by tile through the
job runner, the tiles joined with linear fades over their overlaps.

- ``run.sd_upscale(model, image, upscaler=, scale=, request=, overlap=, cancel=, on_tile=)``
  returns an ``SdUpscaled`` (``result.py``): the picture, and the PNG text to save it with;
- ``tile_grid.TileGrid``: where the tiles go and how they are joined.

A package of its own rather than part of ``upscalers``: it runs jobs, and the denoising loop
(through the hires fix) uses the upscalers, so the two stay one-way. Nothing is imported here,
so that reading ``tile_grid``'s defaults (as the command line's options do) loads no torch.
"""
