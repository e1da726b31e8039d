"""The ``taesd`` preview: a tiny autoencoder's decoder (TAESD), loaded from weights on disk.

TAESD is a distilled stand-in for the SD VAE decoder: close to the real look at a small
fraction of the cost. Each family names its TAESD variant (``taesd`` for SD 1.x/2.x latents).
The user points the settings at a diffusers ``AutoencoderTiny`` folder (e.g. a copy of
``madebyollin/taesd``) or its weights file; the hub copy is used only when it is cached already
or the user allowed the download (``taesd_weights.py`` decides which).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from PIL import Image

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.previews.decoder import preview_latents, to_uint8_rgb
from sdstudio.engine.previews.taesd_weights import TaesdUnavailable
from sdstudio.engine.previews.taesd_weights import default_taesd_dir as default_taesd_dir
from sdstudio.engine.previews.taesd_weights import resolve_taesd_path as resolve_taesd_path
from sdstudio.engine.previews.time_budget import PreviewTimeBudget

MIN_LATENT_SIDE = 8


def load_taesd(
    path: Path | str,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    latent_channels: int | None = None,
    allow_download: bool = False,
) -> Any:
    """An ``AutoencoderTiny`` from a diffusers folder, a bare weights file (default config),
    or a hub id (``str``: from the cache, or downloaded with ``allow_download``).

    ``latent_channels`` (the model's) guards against TAESD weights made for another family.
    """
    from diffusers import AutoencoderTiny

    from sdstudio.engine.errors import UserFacingError
    from sdstudio.engine.models.weight_shards import check_weight_shards

    try:
        if isinstance(path, str):
            taesd = AutoencoderTiny.from_pretrained(
                path, local_files_only=not allow_download, use_safetensors=True
            )
        elif path.is_dir():
            check_weight_shards(path)  # an index may point at a pickle
            taesd = AutoencoderTiny.from_pretrained(
                path, local_files_only=True, use_safetensors=True
            )
        else:
            taesd = AutoencoderTiny()
            taesd.load_state_dict(_read_state_dict(path))
    except (OSError, ValueError, RuntimeError, KeyError, UserFacingError) as error:
        raise TaesdUnavailable(f"Could not load TAESD weights from {path}: {error}") from error
    if latent_channels is not None and taesd.config.latent_channels != latent_channels:
        raise TaesdUnavailable(
            f"The TAESD weights in {path} decode {taesd.config.latent_channels}-channel latents "
            f"but this model makes {latent_channels}-channel ones (TAESDXL, TAESD3... differ)"
        )
    # Channels-last convolutions run faster on both oneDNN (CPU) and cuDNN for this net.
    return taesd.to(device=device, dtype=dtype, memory_format=torch.channels_last).eval()


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(path)
    return torch.load(path, map_location="cpu", weights_only=True)


class TaesdPreviewDecoder:
    """Decodes with TAESD's decoder, at a resolution that keeps previews cheap.

    With ``latent_scale=None`` (the default) the latents are shrunk by 1, 1/2, 1/4 or 1/8
    before decoding, the largest that keeps decoding within ~10% of the time between previews
    (``PreviewTimeBudget``): full size next to a GPU or a real model, small next to the tiny
    demo UNet on a CPU. A fixed ``latent_scale`` (1.0: full size) turns the adapting off.
    """

    def __init__(
        self,
        taesd: Any,
        show_noisy: bool = False,
        latent_scale: float | None = None,
        budget: PreviewTimeBudget | None = None,
    ) -> None:
        self._taesd = taesd
        self._show_noisy = show_noisy
        self._latent_scale = latent_scale
        self._budget = budget or PreviewTimeBudget()
        # (first image of its batch, step, row) of the last preview: later ones go on a run
        self._previous: tuple[int, int, int] | None = None

    def decode(self, event: StepEvent) -> Image.Image:
        if self._latent_scale is not None:
            return self._decode_at(event, self._latent_scale)
        position = (event.image_index - event.row, event.step, event.row)
        continuing = self._previous is not None and self._previous < position
        self._previous = position
        # The work between previews is the UNet's step: the rows of a batch after its first
        # are decoded right after one another, with no work between them to measure.
        continuing = continuing and event.row == 0
        # Never below 8 latent pixels a side (64 pixels): smaller says nothing.
        floor = min(1.0, MIN_LATENT_SIDE / min(event.x0.shape[-2:]))
        scale = max(self._budget.begin(continuing), floor)
        try:
            return self._decode_at(event, scale)
        finally:
            self._budget.end(scale)

    def _decode_at(self, event: StepEvent, scale: float) -> Image.Image:
        latents = preview_latents(event, self._show_noisy)
        parameter = next(self._taesd.parameters())
        with torch.inference_mode():
            latents = latents.to(parameter.device, parameter.dtype)
            if scale != 1.0:
                latents = torch.nn.functional.interpolate(latents, scale_factor=scale, mode="area")
            latents = latents.contiguous(memory_format=torch.channels_last)
            # TAESD reads the UNet's (scaled) latents directly: its own scaling factor is 1.
            scaled = latents / self._taesd.config.scaling_factor
            pixels = self._taesd.decode(scaled, return_dict=False)[0][0]
            pixels = pixels.permute(1, 2, 0).to("cpu", torch.float32).numpy()
        return Image.fromarray(to_uint8_rgb(pixels), mode="RGB")
