"""Outpainting: a bigger canvas around the picture, its new part masked and pre-filled, ready
to inpaint. The window's side buttons and ``--outpaint L,T,R,B`` both come here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.inpainting.mask_image import fitted

OUTPAINT_FILLS = ("edge", "noise")
SIDE_STEP = 8  # sizes stay multiples of the VAE's 8-pixel block
MAX_EXTENSION = 2048


@dataclass(frozen=True)
class Extension:
    """Pixels to add on each side."""

    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0

    @property
    def sides(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.right, self.bottom

    @classmethod
    def parse(cls, text: str) -> Extension:
        """``"L,T,R,B"`` in pixels, each a multiple of 8 (``"0,0,64,0"`` widens on the right)."""
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 4 or not all(part.isdigit() for part in parts):
            raise RequestError(
                f"--outpaint takes four pixel counts LEFT,TOP,RIGHT,BOTTOM (such as 0,0,64,0), "
                f"got {text!r}"
            )
        extension = cls(*(int(part) for part in parts))
        extension.check()
        return extension

    def check(self) -> None:
        if any(side % SIDE_STEP or side > MAX_EXTENSION for side in self.sides):
            raise RequestError(
                f"Outpainting extends by multiples of {SIDE_STEP} px up to {MAX_EXTENSION} on a "
                f"side, got {','.join(map(str, self.sides))}"
            )
        if not any(self.sides):
            raise RequestError("Outpainting needs at least one side to extend.")


def outpainted(
    image: Image.Image,
    extension: Extension,
    mask: Image.Image | None = None,
    fill: str = "edge",
    seed: int = 0,
) -> tuple[Image.Image, Image.Image]:
    """(the bigger picture, its mask): the new part white in the mask and pre-filled by
    stretching the edge pixels outwards (``edge``) or with gray noise (``noise``); a mask
    already painted on the picture is kept in its place."""
    extension.check()
    if fill not in OUTPAINT_FILLS:
        choices = ", ".join(OUTPAINT_FILLS)
        raise RequestError(f"Outpaint fill must be one of {choices}, got {fill!r}")
    left, top, right, bottom = extension.sides
    rgb = np.asarray(image.convert("RGB"))
    padding = ((top, bottom), (left, right), (0, 0))
    if fill == "edge":
        bigger = np.pad(rgb, padding, mode="edge")
    else:
        rng = np.random.default_rng(seed)
        bigger = rng.integers(0, 256, (rgb.shape[0] + top + bottom, rgb.shape[1] + left + right))
        bigger = np.repeat(bigger[..., None], 3, axis=2).astype(np.uint8)
        bigger[top : top + rgb.shape[0], left : left + rgb.shape[1]] = rgb
    old = np.zeros(rgb.shape[:2], np.uint8)
    if mask is not None:
        old = np.asarray(fitted(mask, image.size))
    new_mask = np.pad(old, padding[:2], constant_values=255)
    return Image.fromarray(bigger, "RGB"), Image.fromarray(new_mask, "L")
