"""Control images the user already made: taken as they are ("none"), or inverted ("invert").

ControlNets read white lines on black. "none" is for a map made elsewhere (a depth map, a pose
skeleton, an edge map); "invert" turns a drawing of black lines on white paper into what the
Lineart, Scribble and Canny ControlNets expect.
"""

from __future__ import annotations

from PIL import Image

from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor


def unchanged(image: Image.Image) -> Image.Image:
    """The picture as RGB, transparency laid over white."""
    return rgb_image(rgb_array(image))


def invert(image: Image.Image) -> Image.Image:
    """Each channel ``255 - value``: black lines on white become white lines on black."""
    return rgb_image(255 - rgb_array(image))


NONE = Preprocessor(
    name="none",
    label="none",
    description="Use the control image as it is (a map made by another tool).",
    run=unchanged,
)

INVERT = Preprocessor(
    name="invert",
    label="invert (from white bg & black line)",
    description="Invert a drawing of black lines on white into white lines on black.",
    run=invert,
)
