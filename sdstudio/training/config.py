"""The trainer's settings, importable without torch (the command line reads its defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    minutes_vae: float = 8.0
    minutes_unet: float = 48.0  # with the VAE, encoding the pool and pictures: under an hour
    vae_steps: int | None = None  # caps besides the minutes; None: the minutes decide
    unet_steps: int | None = None
    vae_batch: int = 8
    unet_batch: int = 32
    vae_lr: float = 1e-3
    unet_lr: float = 5e-4
    kl_weight: float = 1e-4
    pool_size: int = 8192  # scenes encoded once for the UNet phase
    every: int = 250  # steps between checkpoints, loss plots and sample grids
    sample_steps: int = 20
    guidance: float = 7.0
