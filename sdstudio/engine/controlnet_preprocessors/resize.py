"""A control image brought to the generation's size, by A1111's three resize modes.

The geometry is A1111's sd-webui-controlnet's (its ``detectmap_proc``): the scale factor,
the rounding, the centring and the fill colour. The resampling is done with Pillow and follows
A1111's choice of filter (see ``_resampled``).
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from PIL import Image

from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image
from sdstudio.engine.errors import RequestError

# Fewer colours than this and more than two: a segmentation-like map whose colours must stay.
_FEW_COLOURS = 200


class ResizeMode(str, Enum):
    """A1111's resize modes, valued as its UI and infotext ("Resize Mode: …") spell them."""

    JUST_RESIZE = "Just Resize"
    CROP_AND_RESIZE = "Crop and Resize"
    RESIZE_AND_FILL = "Resize and Fill"

    @classmethod
    def from_name(cls, name: str | ResizeMode) -> ResizeMode:
        """The mode of that name (A1111's older "Scale to Fit (Inner Fit)" and "Envelope
        (Outer Fit)" too); a ``RequestError`` listing the three otherwise."""
        if isinstance(name, ResizeMode):
            return name
        if not isinstance(name, str):
            name = repr(name)
        if name.startswith("Scale to Fit (Inner Fit)"):
            return cls.CROP_AND_RESIZE
        if name.startswith("Envelope (Outer Fit)"):
            return cls.RESIZE_AND_FILL
        for mode in cls:
            if mode.value == name:
                return mode
        choices = ", ".join(f'"{mode.value}"' for mode in cls)
        raise RequestError(f"Unknown control image resize mode {name!r}. Choose {choices}.")


def resize_control_image(
    image: Image.Image,
    width: int,
    height: int,
    mode: ResizeMode | str = ResizeMode.CROP_AND_RESIZE,
) -> Image.Image:
    """``image`` as an RGB picture of exactly ``width × height``.

    - **Just Resize**: stretched to ``width × height``; the aspect ratio is not kept.
    - **Crop and Resize** (A1111's default): scaled by ``max(width / w, height / h)`` so that it
      covers the target (sides rounded to whole pixels), then the centre ``width × height`` is
      kept: the overhang is cut equally from both sides (the odd pixel from the right or the
      bottom). A 200×100 picture to 64×64 becomes 128×64 and loses 32 columns each side.
    - **Resize and Fill**: scaled by ``min(width / w, height / h)`` so that it fits inside the
      target, centred (the odd pixel of margin at the right or the bottom), and the margins are
      filled with one colour: the per-channel median of the picture's outermost pixels (its
      four edges, before scaling), which continues a plain background. A 200×100 picture to
      64×64 becomes 64×32 with 16 rows of fill above and below.
    """
    mode = ResizeMode.from_name(mode)
    if isinstance(width, bool) or isinstance(height, bool) or width < 1 or height < 1:
        raise RequestError(
            f"A control image cannot be resized to {width}×{height}: both sides must be at "
            "least 1 pixel."
        )
    if image.width < 1 or image.height < 1:
        raise RequestError("The control image is empty (0 pixels wide or high).")
    width, height = int(width), int(height)
    picture = rgb_image(rgb_array(image))
    if mode is ResizeMode.JUST_RESIZE:
        return _resampled(picture, (width, height))

    old_width, old_height = picture.size
    across, down = width / old_width, height / old_height
    if mode is ResizeMode.RESIZE_AND_FILL:
        scale = min(across, down)
        fill = _border_median(picture)
        size = _scaled_size(picture.size, scale, (width, height), covering=False)
        inner = _resampled(picture, size)
        canvas = Image.new("RGB", (width, height), fill)
        canvas.paste(inner, ((width - inner.width) // 2, (height - inner.height) // 2))
        return canvas

    scale = max(across, down)
    size = _scaled_size(picture.size, scale, (width, height), covering=True)
    outer = _resampled(picture, size)
    left, top = (outer.width - width) // 2, (outer.height - height) // 2
    return outer.crop((left, top, left + width, top + height))


def _scaled_size(
    size: tuple[int, int], scale: float, target: tuple[int, int], covering: bool
) -> tuple[int, int]:
    """``size × scale`` with sides rounded as A1111 rounds them, kept from crossing the target
    by float error: at least the target when ``covering``, at most the target otherwise."""
    scaled = [max(1, round(side * scale)) for side in size]
    if covering:
        return (max(scaled[0], target[0]), max(scaled[1], target[1]))
    return (min(scaled[0], target[0]), min(scaled[1], target[1]))


def _border_median(picture: Image.Image) -> tuple[int, int, int]:
    """The per-channel median of the top and bottom rows and the left and right columns."""
    pixels = np.asarray(picture)
    edges = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]], axis=0)
    red, green, blue = np.median(edges, axis=0).astype(np.uint8)
    return int(red), int(green), int(blue)


def _resampled(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``picture`` at ``size`` with the filter A1111's ``high_quality_resize`` would choose.

    A map of 3 to 199 colours (segmentation) is resized by nearest neighbour, so no colour is
    invented; otherwise shrinking averages areas (``BOX``, OpenCV's ``INTER_AREA``) and
    enlarging is bicubic. A black-and-white map (exactly two colours, one with every channel
    below 16, the other with every channel above 240: edges, scribbles) is made black-and-white
    again after resampling, cut at mid-gray, so its lines stay crisp. A1111 asks less of
    "black and white" (any channel below 16 and any above 240, so red on gray qualifies), cuts
    by Otsu's method, and thins one-pixel edges after enlarging them, which this does not do:
    enlarged Canny edges come out thicker.
    """
    if picture.size == size:
        return picture.copy()
    colours = picture.getcolors(maxcolors=_FEW_COLOURS)
    count = len(colours) if colours is not None else _FEW_COLOURS + 1
    if 2 < count < _FEW_COLOURS:
        return picture.resize(size, Image.Resampling.NEAREST)
    shrinking = size[0] * size[1] < picture.width * picture.height
    filter_ = Image.Resampling.BOX if shrinking else Image.Resampling.BICUBIC
    resized = picture.resize(size, filter_)
    if count == 2 and all(_black_or_white(colour) for _, colour in colours):
        cut = resized.convert("L").point(lambda value: 255 if value >= 128 else 0)
        return cut.convert("RGB")
    return resized


def _black_or_white(colour: tuple[int, ...]) -> bool:
    return all(channel < 16 for channel in colour) or all(channel > 240 for channel in colour)
