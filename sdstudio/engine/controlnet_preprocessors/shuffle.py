"""A1111's content shuffle: the picture's pixels moved along a smooth random flow field.

The Shuffle ControlNet reads colours and textures without their layout. Each output pixel
takes the picture's colour at a position given by two smooth noise fields (one for x, one
for y) stretched over the whole picture, so every colour in the result comes from the picture.
A1111 draws that noise from NumPy's global generator; here a ``seed`` draws it, so the same
seed gives the same control image again.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from sdstudio.engine.controlnet_preprocessors.parameters import Parameter
from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor

MAX_SEED = 2**32 - 1
# A1111's noise scale: one random value per 256 px, smoothly interpolated in between.
_NOISE_CELL = 256


def shuffle(image: Image.Image, seed: int = 0) -> Image.Image:
    """The picture shuffled along a flow field drawn from ``seed``; same size."""
    import cv2

    pixels = rgb_array(image)
    height, width = pixels.shape[:2]
    rng = np.random.default_rng(int(seed))
    x = _smooth_noise(rng, height, width) * float(width - 1)
    y = _smooth_noise(rng, height, width) * float(height - 1)
    flow = np.stack([x, y], axis=2).astype(np.float32)
    return rgb_image(cv2.remap(pixels, flow, None, cv2.INTER_LINEAR))


def _smooth_noise(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A1111's ``make_noise_disk``: coarse uniform noise, cubic-upscaled, cropped, spread to
    ``[0, 1]`` so that the flow reaches every part of the picture."""
    import cv2

    cell = _NOISE_CELL
    coarse = rng.uniform(0.0, 1.0, size=(height // cell + 2, width // cell + 2))
    fine = cv2.resize(coarse, (width + 2 * cell, height + 2 * cell), interpolation=cv2.INTER_CUBIC)
    noise = fine[cell : cell + height, cell : cell + width]
    noise = noise - noise.min()
    top = noise.max()
    return noise / top if top > 0 else noise


SHUFFLE = Preprocessor(
    name="shuffle",
    label="shuffle",
    description="The picture's content shuffled by a smooth random flow; same seed, same result.",
    run=shuffle,
    parameters=(Parameter("seed", "Seed", 0, 0, MAX_SEED, integer=True),),
)
