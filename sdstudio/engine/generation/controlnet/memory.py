"""What a run's ControlNet units add to its peak memory, known before their models are read.

Measured on the demo model with the tests' tiny ControlNet (``tests/random_controlnet.py``:
the demo UNet's encoder, 32 and 64 channels, a control-image embedding of 8, 16, 16, 32),
on the CPU in float32, as peak RSS above the loaded model and the loaded ControlNet, CFG on
(2 rows), one step:

- a unit's own call peaks in its control-image embedding, which runs at the image's full
  size: 1024² 299 MiB, 2048² 1162 MiB (36 to 37 values a pixel and row); with diffusers'
  standard 16-channel embedding 443 and 1675 MiB (52 to 55 values). So about
  ``EMBEDDING_TENSORS`` tensors of the embedding's first channels plus ``EMBEDDING_VALUES``
  values (the control image, its copies) a pixel and row;
- each further unit: +75 MiB at 1024², +243 MiB at 2048², about ``EXTRA_UNIT_VALUES`` values
  a pixel and row (its control image, the running sum of the residuals);
- its encoder alone (the embedding bypassed) stays under the UNet call: 256 MiB against the
  UNet's 264 at 2048², 570 against 612 at 3072², so it never sets the peak;
- the UNet call with the summed residuals: +76 MiB at 2048², +163 MiB at 3072² over the call
  without them, ``RESIDUAL_FACTOR`` times the residuals' own size (104 values a latent pixel
  and row for the demo, counted from the UNet's config for any model);
- what stays through the rest of the run (the control images, what the allocator keeps of
  the ControlNet's call): a whole run's VAE decode is +79 MiB at 1024², +258 MiB at 2048²
  with a unit, about ``HELD_VALUES`` values a pixel and row per unit.

Whole runs check it: with VAE tiling a 2048² run (where the units' calls are the peak) took
437 MiB alone, 1157 with one unit, 1380 with two; estimated 1216 and 1472 MiB.
Units whose file cannot be read count with the standard embedding; loading them says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.controlnet.library import find_controlnet
from sdstudio.engine.generation.controlnet.loading import DEFAULT_EMBEDDING_WIDTH, embedding_width

if TYPE_CHECKING:
    from sdstudio.engine.generation.controlnet.unit import ControlUnit

EMBEDDING_TENSORS = 2.25
EMBEDDING_VALUES = 20
EXTRA_UNIT_VALUES = 8
RESIDUAL_FACTOR = 1.45
HELD_VALUES = 9


@dataclass(frozen=True)
class UnitsMemory:
    """Bytes the units add: at the peak of their own calls, to the UNet call (residuals and
    what is held), and through the rest of the run (the control images and the like)."""

    controlnet_call: int
    unet_call: int
    held: int


def units_memory(
    unet: Any, units: Sequence[ControlUnit], pixels: int, latent_pixels: int, rows: int
) -> UnitsMemory:
    """The estimate for ``units`` (ControlNets in the UNet's dtype) on ``rows`` UNet rows
    of ``pixels`` (``latent_pixels`` in the latent)."""
    if not units:
        return UnitsMemory(0, 0, 0)
    size = unet.dtype.itemsize * rows
    width = max(_embedding_width(unit) for unit in units)
    per_pixel = EMBEDDING_TENSORS * width + EMBEDDING_VALUES
    per_pixel += EXTRA_UNIT_VALUES * (len(units) - 1)
    held = HELD_VALUES * len(units) * pixels * size
    residuals = RESIDUAL_FACTOR * residual_values(unet.config) * latent_pixels * size
    return UnitsMemory(int(per_pixel * pixels * size), int(residuals + held), int(held))


def residual_values(config: Any) -> float:
    """Values per latent pixel of the residuals a ControlNet hands a UNet of this config:
    the input convolution's, each down block's layers' and downsampler's, the middle
    block's, each level a quarter of the pixels of the one above."""
    channels = [int(width) for width in config.block_out_channels]
    layers = config.layers_per_block
    counts = list(layers) if isinstance(layers, (list, tuple)) else [layers] * len(channels)
    values = float(channels[0])
    for level, (width, count) in enumerate(zip(channels, counts, strict=True)):
        values += count * width / 4**level
        if level < len(channels) - 1:
            values += width / 4 ** (level + 1)
    return values + channels[-1] / 4 ** (len(channels) - 1)


def _embedding_width(unit: ControlUnit) -> int:
    try:
        return embedding_width(find_controlnet(unit.model))
    except (UserFacingError, OSError):
        return DEFAULT_EMBEDDING_WIDTH
