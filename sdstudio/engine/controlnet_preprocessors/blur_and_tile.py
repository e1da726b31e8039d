"""Softened pictures for the Tile and Blur ControlNets: a Gaussian blur, or a smaller copy.

Both keep the picture's colours and layout and drop its fine detail, which the model then
redraws. As in A1111, "tile_resample" returns a *smaller* picture; bringing it to the
generation's size (``resize_control_image``) is the upsampling half of the round trip.
"""

from __future__ import annotations

from PIL import Image

from sdstudio.engine.controlnet_preprocessors.parameters import Parameter
from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor

# A1111 leaves the picture alone below this rate: a 5% shrink would only blur it slightly.
_SMALLEST_RATE = 1.1


def blur_gaussian(image: Image.Image, sigma: float = 9.0) -> Image.Image:
    """OpenCV's Gaussian blur with standard deviation ``sigma`` pixels; same size."""
    import cv2

    return rgb_image(cv2.GaussianBlur(rgb_array(image), (0, 0), float(sigma)))


def tile_resample(image: Image.Image, down_sampling_rate: float = 1.0) -> Image.Image:
    """The picture shrunk by ``down_sampling_rate`` (area averaging), or unchanged below 1.1.

    A 512×512 picture at rate 4 becomes 128×128 (sides rounded down, at least 1 px); its
    mean colour stays. The result is smaller than the picture, as in A1111.
    """
    import cv2

    pixels = rgb_array(image)
    if down_sampling_rate < _SMALLEST_RATE:
        return rgb_image(pixels)
    height, width = pixels.shape[:2]
    size = (
        max(1, int(width / down_sampling_rate)),
        max(1, int(height / down_sampling_rate)),
    )
    return rgb_image(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA))


BLUR_GAUSSIAN = Preprocessor(
    name="blur_gaussian",
    label="blur_gaussian",
    description="Gaussian blur; the Tile and Blur models redraw the detail.",
    run=blur_gaussian,
    parameters=(Parameter("sigma", "Sigma", 9.0, 0.01, 64.0, step=0.01, slider=1),),
)

TILE_RESAMPLE = Preprocessor(
    name="tile_resample",
    label="tile_resample",
    description="A smaller copy of the picture for the Tile model (rate 1: unchanged).",
    run=tile_resample,
    parameters=(
        Parameter("down_sampling_rate", "Down Sampling Rate", 1.0, 1.0, 8.0, step=0.01, slider=1),
    ),
)
