"""The hires pass's size, computed as A1111 computes it (``calculate_target_resolution``);
outside the ``hires`` package because the request checks it.

With no resize, the picture is upscaled by the factor: ``int(side * scale)``. With one side
of the resize given, the other follows the aspect ratio. With both, the picture is upscaled
to cover them (keeping its aspect ratio) and the latents are cropped to them, centred.
Sides are rounded down to multiples of 8, as A1111's latents are ``side // 8`` wide.
"""

from __future__ import annotations

from dataclasses import dataclass

LATENT_FACTOR = 8  # pixels per latent pixel: the VAE works on 8×8 blocks


@dataclass(frozen=True)
class HiresTarget:
    """Where the upscale goes (``upscaled_*``, in pixels) and what the hires pass keeps of it
    (``width`` × ``height``, from latent ``crop_top``/``crop_left`` on)."""

    upscaled_width: int
    upscaled_height: int
    width: int
    height: int

    @property
    def crop_left(self) -> int:
        """Latent columns cut on the left: half the excess, the larger half on the right."""
        return (self.upscaled_width - self.width) // LATENT_FACTOR // 2

    @property
    def crop_top(self) -> int:
        return (self.upscaled_height - self.height) // LATENT_FACTOR // 2


def hires_target(
    width: int, height: int, scale: float, resize_x: int = 0, resize_y: int = 0
) -> HiresTarget:
    """The hires size of a ``width`` × ``height`` first pass."""
    if resize_x == 0 and resize_y == 0:
        upscaled_x, upscaled_y = int(width * scale), int(height * scale)
        wanted_x, wanted_y = upscaled_x, upscaled_y
    elif resize_y == 0:
        upscaled_x, upscaled_y = resize_x, resize_x * height // width
        wanted_x, wanted_y = upscaled_x, upscaled_y
    elif resize_x == 0:
        upscaled_x, upscaled_y = resize_y * width // height, resize_y
        wanted_x, wanted_y = upscaled_x, upscaled_y
    else:
        if width / height < resize_x / resize_y:
            upscaled_x, upscaled_y = resize_x, resize_x * height // width
        else:
            upscaled_x, upscaled_y = resize_y * width // height, resize_y
        wanted_x, wanted_y = resize_x, resize_y
    return HiresTarget(
        upscaled_width=_latent_multiple(upscaled_x),
        upscaled_height=_latent_multiple(upscaled_y),
        width=_cropped(upscaled_x, wanted_x),
        height=_cropped(upscaled_y, wanted_y),
    )


def _latent_multiple(side: int) -> int:
    return side // LATENT_FACTOR * LATENT_FACTOR


def _cropped(upscaled: int, wanted: int) -> int:
    """What is left of ``upscaled`` after A1111's crop of ``(upscaled - wanted) // 8`` latent
    pixels."""
    latents = upscaled // LATENT_FACTOR - (upscaled - wanted) // LATENT_FACTOR
    return latents * LATENT_FACTOR
