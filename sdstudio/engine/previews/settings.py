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
    taesd_path: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PreviewKind.parse(self.kind))
        if self.every_n_steps < 1:
            raise PreviewError(f"Preview every N steps needs N >= 1, got {self.every_n_steps}")
        if self.min_interval_ms < 0:
            raise PreviewError(f"Preview interval must be >= 0 ms, got {self.min_interval_ms}")
