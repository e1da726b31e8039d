"""The hires fix's built-in upscalers by A1111's names, apart from the code that runs them so
the command line can list and check them without importing torch."""

from __future__ import annotations

from PIL import Image

# name → (torch interpolation mode, antialias)
LATENT_UPSCALERS: dict[str, tuple[str, bool]] = {
    "Latent": ("bilinear", False),
    "Latent (antialiased)": ("bilinear", True),
    "Latent (bicubic)": ("bicubic", False),
    "Latent (bicubic antialiased)": ("bicubic", True),
    "Latent (nearest)": ("nearest", False),
    "Latent (nearest-exact)": ("nearest-exact", False),
}
PILLOW_UPSCALERS: dict[str, Image.Resampling] = {
    "Lanczos": Image.Resampling.LANCZOS,
    "Nearest": Image.Resampling.NEAREST,
    "None": Image.Resampling.LANCZOS,
}
