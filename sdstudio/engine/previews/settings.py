"""What the user chose about live previews: which decoder, how often, and of what."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sdstudio.engine.errors import UserFacingError


class PreviewError(UserFacingError):
    """A preview setting that cannot work (missing TAESD weights, a bad interval...)."""


class PreviewKind(str, Enum):
    """How step latents become a picture, from free to exact."""

    NONE = "none"
    LATENT = "latent"  # linear 4 -> RGB map at latent resolution: almost free
    TAESD = "taesd"  # tiny autoencoder decoder: cheap, close to the real look
    VAE = "vae"  # the model's own VAE: exact, as slow as a final decode

    @classmethod
    def parse(cls, value: str | PreviewKind) -> PreviewKind:
        """Accept the enum or its name as typed by a user, with a message naming the choices."""
        try:
            return cls(value.lower() if isinstance(value, str) else value)
        except ValueError:
            choices = ", ".join(kind.value for kind in cls)
            raise PreviewError(
                f"Unknown preview kind {value!r} (choose one of {choices})"
            ) from None


@dataclass(frozen=True)
class PreviewSettings:
    """Preview choices, validated on creation so a bad value fails before a run starts."""

    kind: PreviewKind = PreviewKind.LATENT
    every_n_steps: int = 1
    min_interval_ms: int = 0
    show_noisy: bool = False  # the scheduler's noisy latents instead of the clean estimate
    taesd_path: str | None = None  # these weights whatever the model (``--taesd``)
    # (variant, path) pairs, as the window's Preferences set them: each model family finds
    # the weights made for its latents ("taesd" for SD 1.x/2.x, "taesdxl" for SDXL).
    taesd_paths: tuple[tuple[str, str], ...] = ()
    allow_download: bool = False  # fetch madebyollin/<variant> when no weights are on disk

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PreviewKind.parse(self.kind))
        object.__setattr__(self, "taesd_paths", _pairs(self.taesd_paths))
        if self.every_n_steps < 1:
            raise PreviewError(f"Preview every N steps needs N >= 1, got {self.every_n_steps}")
        if self.min_interval_ms < 0:
            raise PreviewError(f"Preview interval must be >= 0 ms, got {self.min_interval_ms}")

    def taesd_path_for(self, variant: str) -> str | None:
        """The weights to use for ``variant``: ``taesd_path`` if given, else its own entry."""
        return self.taesd_path or dict(self.taesd_paths).get(variant) or None


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    """``taesd_paths`` as a tuple of string pairs (a queue file gives lists back)."""
    try:
        pairs = tuple((variant, path) for variant, path in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise PreviewError(f"TAESD paths must be (variant, path) pairs, got {value!r}") from None
    if not all(isinstance(item, str) for pair in pairs for item in pair):
        raise PreviewError(f"TAESD paths must be (variant, path) pairs, got {value!r}")
    return pairs
