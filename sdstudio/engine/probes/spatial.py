"""Where a flattened sequence of image tokens came from: its grid at the image's aspect.

Transformer blocks and attention layers see a feature map flattened to ``height × width``
tokens. Each UNet level halves the latent grid (rounding up, as a stride-2 convolution
does), so a token count is matched against the latent size halved 0, 1, 2, ... times.
"""

from __future__ import annotations

from typing import Any

LatentSize = tuple[int, int]  # (height, width) in latent pixels


def latent_size(pipeline: Any, width: int, height: int) -> LatentSize:
    """The latent grid of an image of ``width`` × ``height`` pixels for this pipeline's VAE."""
    factor = int(getattr(pipeline, "vae_scale_factor", 8) or 8)
    return height // factor, width // factor


def token_grid(count: int, latent: LatentSize | None) -> LatentSize | None:
    """(height, width) whose product is ``count`` at the latent's aspect; None if none fits."""
    if latent is None:
        side = round(count**0.5)
        return (side, side) if side * side == count else None
    height, width = latent
    while height * width >= count:
        if height * width == count:
            return height, width
        if height == width == 1:
            break
        height, width = -(-height // 2), -(-width // 2)
    return None
