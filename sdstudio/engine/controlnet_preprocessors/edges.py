"""Line maps without any model: Canny edges, XDoG scribbles and A1111's standard lineart.

Each turns a picture into white lines on black, the way the Canny, Scribble and Lineart
ControlNets were trained to read. The arithmetic is A1111's sd-webui-controlnet's, run at the
picture's own size (A1111 first scales the short side to its "Preprocessor Resolution", 512 by
default). OpenCV is imported when a map is made, not when the window starts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from PIL import Image

from sdstudio.engine.controlnet_preprocessors.parameters import Parameter
from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor
from sdstudio.engine.errors import RequestError


def canny(image: Image.Image, low_threshold: int = 100, high_threshold: int = 200) -> Image.Image:
    """OpenCV's Canny edges, one pixel wide, white on black.

    A gradient above ``high_threshold`` starts an edge and the edge goes on while the gradient
    stays above ``low_threshold``; lower thresholds find fainter edges. The colour picture is
    given to OpenCV as it is (A1111 does the same), so an edge between two colours of equal
    brightness is still found.
    """
    import cv2

    edges = cv2.Canny(rgb_array(image), int(low_threshold), int(high_threshold))
    return rgb_image(edges)


def scribble_xdog(image: Image.Image, threshold: int = 32) -> Image.Image:
    """A scribble: thick white strokes wherever the picture is darker than its surroundings.

    A1111's XDoG: the difference between a wide (σ 5) and a narrow (σ 0.5) Gaussian blur is
    large where a dark line or the dark side of an edge lies; a pixel whose difference, in
    every channel, exceeds ``threshold / 2`` becomes white. The blur widths make the strokes
    several pixels wide, as a hand-drawn scribble; a lower threshold keeps fainter lines.
    """
    import cv2

    pixels = rgb_array(image).astype(np.float32)
    narrow = cv2.GaussianBlur(pixels, (0, 0), 0.5)
    wide = cv2.GaussianBlur(pixels, (0, 0), 5.0)
    darker_than_around = np.min(wide - narrow, axis=2).clip(0, 255).astype(np.uint8)
    strokes = np.where(2 * darker_than_around.astype(np.int32) > threshold, 255, 0)
    return rgb_image(strokes)


def lineart_standard(image: Image.Image) -> Image.Image:
    """A1111's "lineart_standard (from white bg & black line)", which needs no model weights.

    Each pixel's brightness is compared with a Gaussian blur (σ 6) of the picture: how much
    darker it is than its surroundings, in its least-dark channel, becomes the line's
    strength. Strengths are scaled so that the median line pixel (of those above 8) is 127,
    then clipped. Black strokes on white give white lines on black; on a photograph it traces
    the dark side of every edge, softer than Canny and without a learned model.
    """
    import cv2

    pixels = rgb_array(image).astype(np.float32)
    around = cv2.GaussianBlur(pixels, (0, 0), 6.0)
    intensity = np.min(around - pixels, axis=2).clip(0, 255)
    lines = intensity[intensity > 8]
    # A picture with no line at all: A1111's median of nothing would be NaN.
    typical = float(np.median(lines)) if lines.size else 0.0
    intensity = intensity / max(16.0, typical) * 127.0
    return rgb_image(intensity)


def _low_not_above_high(values: Mapping[str, float]) -> None:
    """Canny with the thresholds swapped is a typing slip, not a setting to run silently."""
    low, high = values["low_threshold"], values["high_threshold"]
    if low > high:
        raise RequestError(
            f"The canny preprocessor's Low Threshold ({low:g}) must not be above its "
            f"High Threshold ({high:g})."
        )


CANNY = Preprocessor(
    name="canny",
    label="canny",
    description="Canny edges: one-pixel white edges on black.",
    run=canny,
    parameters=(
        Parameter("low_threshold", "Low Threshold", 100, 0, 256, integer=True, slider=1),
        Parameter("high_threshold", "High Threshold", 200, 0, 256, integer=True, slider=2),
    ),
    check=_low_not_above_high,
)

SCRIBBLE_XDOG = Preprocessor(
    name="scribble_xdog",
    label="scribble_xdog",
    description="Thick white strokes where the picture is darker than around it (XDoG).",
    run=scribble_xdog,
    parameters=(Parameter("threshold", "XDoG Threshold", 32, 1, 64, integer=True, slider=1),),
)

LINEART_STANDARD = Preprocessor(
    name="lineart_standard",
    label="lineart_standard (from white bg & black line)",
    description="White lines on black from dark lines or edges, without a model.",
    run=lineart_standard,
)
