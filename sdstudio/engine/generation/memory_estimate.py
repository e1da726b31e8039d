"""Refusing a run that cannot fit in memory before it starts, with a message that says what
would fit, instead of a machine that swaps for minutes and an out-of-memory failure at the end.

A run's peak is the larger of two moments (they never overlap: the UNet's activations are
gone when the VAE decodes, and each image is decoded by itself):

- the UNet call, on ``batch_size`` rows (twice that with classifier-free guidance) at the
  latent size: about ``UNET_TENSORS`` tensors of the UNet's first-level channels per latent
  pixel and row;
- the VAE decode at the image size: about ``VAE_TENSORS`` full-resolution tensors of the
  decoder's first-level channels, usually the peak. With VAE tiling diffusers decodes one
  tile at a time, and what grows with the image is the decoded tiles and the assembled
  picture: about ``TILED_BYTES_PER_PIXEL`` bytes a pixel.

The constants come from the demo model on the CPU (float32; UNet 32 channels, VAE 16), its
peak RSS above the loaded model, one step, one image, CFG on (2 UNet rows):

- whole runs: 256² 54 MiB, 512² 230 MiB, 1024² 570 MiB, 1536² 1131 MiB, 2048² 1842 MiB;
  with VAE tiling 512² 53 MiB, 1024² 123 MiB, 2048² 333 MiB (there the UNet is the peak);
- the VAE decode alone: 512² 161 MiB, 1024² 460 MiB, 2048² 1878 MiB, a slope of 473 bytes
  a pixel = 7.4 tensors of 16 channels × 4 bytes; tiled 1024² 85, 2048² 294, 3072² 711 MiB,
  a slope of 80 bytes a pixel;
- the UNet call alone: 2048² with 2 rows 366 MiB, with 4 rows 687 MiB, 2,750 bytes per
  latent pixel and row = 21.5 tensors of 32 channels × 4 bytes.

A whole 4096² decode on the demo is estimated at 8.1 GB (it was seen passing 8 GB of RSS),
1.5 GB with VAE tiling, which pictures above 2048² get automatically (``vae_tiling.py``);
SD 1.5's VAE (128 channels, float32) needs about 1 GB at 512² and 4 GB at 1024².
The refiner's UNet, loaded later, is not counted.

ControlNet units add a third moment, their own calls, whose control-image embedding runs at
the image's full size, and add their residuals and control images to the other two
(:mod:`~sdstudio.engine.generation.controlnet.memory`, measured the same way: on the demo at
2048² one unit's call peaks at 1162 MiB where the UNet call takes 341, each further unit
adds about 240 MiB, and the VAE decode grows by 258 MiB a unit). Their weights are not
counted: the last job's stay loaded, and a model that cannot be read into memory fails with
its own message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.controlnet.memory import units_memory
from sdstudio.engine.generation.free_memory import free_bytes
from sdstudio.engine.generation.stages import is_guided
from sdstudio.engine.generation.vae_tiling import tiles_automatically

if TYPE_CHECKING:
    from sdstudio.engine.generation.controlnet.unit import ControlUnit
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import LoadedModel

UNET_TENSORS = 22
VAE_TENSORS = 7.5
TILED_BYTES_PER_PIXEL = 80
GB = 1e9


class RunTooLargeError(UserFacingError):
    """A run whose estimated peak memory is more than its device has free."""


@dataclass(frozen=True)
class RunMemory:
    """A run's estimated peak in bytes, and what VAE tiling would bring it down to."""

    unet: int
    vae: int
    vae_tiled: int
    tiling: bool  # the model decodes in tiles already
    controlnet: int = 0  # the ControlNet units' calls
    units: int = 0

    @property
    def peak(self) -> int:
        return max(self.unet, self.controlnet, self.vae_tiled if self.tiling else self.vae)

    @property
    def peak_tiled(self) -> int:
        return max(self.unet, self.controlnet, self.vae_tiled)


def check_run_fits(
    model: LoadedModel, request: GenerationRequest, units: Sequence[ControlUnit] = ()
) -> None:
    """Raise :class:`RunTooLargeError` when ``request`` (with its ControlNet ``units``) would
    need more memory than its device has free; a platform that does not say what is free
    runs everything."""
    upcast = model.family.capabilities.upcasts_vae
    estimate = estimate_run(model.pipeline, request, upcast, units)
    if estimate is None:
        return
    free = free_bytes(model.placement.device)
    if free is None or estimate.peak <= free:
        return
    raise RunTooLargeError(_message(request, estimate, free))


def estimate_run(
    pipe: Any, request: GenerationRequest, upcast_vae: bool, units: Sequence[ControlUnit] = ()
) -> RunMemory | None:
    """The estimate for ``request`` on ``pipe``, or ``None`` for a pipeline whose UNet or VAE
    does not describe its channels (nothing to estimate from)."""
    unet, vae = getattr(pipe, "unet", None), getattr(pipe, "vae", None)
    unet_channels = _first_channels(unet)
    vae_channels = _first_channels(vae)
    if unet_channels is None or vae_channels is None:
        return None
    factor = getattr(pipe, "vae_scale_factor", 8)
    latent_pixels = (request.width // factor) * (request.height // factor)
    rows = request.batch_size * (2 if is_guided(pipe, request) else 1)
    unet_bytes = UNET_TENSORS * unet_channels * _itemsize(unet) * latent_pixels * rows
    vae_bytes_per_pixel = VAE_TENSORS * vae_channels * (4 if upcast_vae else _itemsize(vae))
    pixels = request.width * request.height
    vae_bytes = vae_bytes_per_pixel * pixels
    tile = getattr(vae, "tile_sample_min_size", None)
    if isinstance(tile, int) and max(request.width, request.height) > tile:
        vae_tiled = TILED_BYTES_PER_PIXEL * pixels + vae_bytes_per_pixel * tile * tile
    else:  # the image is one tile: diffusers decodes it whole
        vae_tiled = vae_bytes
    # The user's switch, or the automatic tiling of large images (vae_tiling.py).
    tiling = bool(getattr(vae, "use_tiling", False)) or tiles_automatically(
        vae, request.width, request.height
    )
    added = units_memory(unet, units, pixels, latent_pixels, rows)
    return RunMemory(
        int(unet_bytes) + added.unet_call,
        int(vae_bytes) + added.held,
        int(vae_tiled) + added.held,
        tiling,
        added.controlnet_call,
        len(units),
    )


def _first_channels(component: Any) -> int | None:
    channels = getattr(getattr(component, "config", None), "block_out_channels", None)
    if not channels or _weights_dtype(component) is None:
        return None
    return int(channels[0])


def _weights_dtype(component: Any) -> Any:
    """The dtype of a component's first weight; None without weights. diffusers' ``dtype``
    walks every submodule (about 1 ms on the demo UNet), and this check runs before each job."""
    parameters = getattr(component, "parameters", None)
    if parameters is None:
        return getattr(component, "dtype", None)
    first = next(iter(parameters()), None)
    return None if first is None else first.dtype


def _itemsize(component: Any) -> int:
    return _weights_dtype(component).itemsize


def _message(request: GenerationRequest, estimate: RunMemory, free: int) -> str:
    size = f"{request.width}×{request.height}"
    subject = (
        f"A {size} image"
        if request.batch_size == 1
        else f"A batch of {request.batch_size} {size} images"
    )
    if estimate.units:
        subject += f" with {estimate.units} ControlNet unit{'s' if estimate.units > 1 else ''}"
    choices = ["a smaller size"]
    if request.batch_size > 1:
        choices.append("fewer images at once")
    if estimate.units:
        choices.append("fewer ControlNet units")
    listed = f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]
    advice = f"use {listed}"
    if not estimate.tiling and estimate.peak_tiled <= free:
        advice += ", or enable VAE tiling in the Model menu / --vae-tiling"
    return (
        f"{subject} needs about {_gigabytes(estimate.peak)} and {_gigabytes(free)} are free: "
        f"{advice}."
    )


def _gigabytes(count: int) -> str:
    return f"{count / GB:.1f} GB"
