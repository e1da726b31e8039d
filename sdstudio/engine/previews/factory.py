"""Building the decoder the settings ask for, once per model and run."""

from __future__ import annotations

from sdstudio.engine.models.loading import LoadedModel
from sdstudio.engine.previews.decoder import PreviewDecoder
from sdstudio.engine.previews.latent_fit import latent_map_for
from sdstudio.engine.previews.latent_rgb import LatentPreviewDecoder
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.previews.taesd import TaesdPreviewDecoder, load_taesd
from sdstudio.engine.previews.taesd_weights import taesd_source
from sdstudio.engine.previews.vae_preview import VaePreviewDecoder


def create_preview_decoder(model: LoadedModel, settings: PreviewSettings) -> PreviewDecoder | None:
    """``None`` for previews off; a ``PreviewError`` (user-facing) when a choice cannot work."""
    if settings.kind is PreviewKind.NONE:
        return None
    if settings.kind is PreviewKind.LATENT:
        return LatentPreviewDecoder(latent_map_for(model), settings.show_noisy)
    if settings.kind is PreviewKind.TAESD:
        taesd = load_taesd(
            taesd_source(settings, model.family),
            model.placement.device,
            latent_channels=model.pipeline.vae.config.latent_channels,
            allow_download=settings.allow_download,
        )
        return TaesdPreviewDecoder(taesd, settings.show_noisy)
    return VaePreviewDecoder(model, settings.show_noisy)
