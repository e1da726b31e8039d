"""The trainer's settings, importable without torch (the command line reads its defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    # The steps decide (the same config gives the same weights); the minutes are a safety net
    # on a slower machine. On 2 cores: about 0.2 s a VAE step, 0.26 s a decoder step and
    # about 0.5 s a UNet step with the attention loss, so the whole run (with encoding the pool
    # and drawing samples) takes about 85 minutes.
    vae_steps: int | None = 3600
    decoder_steps: int | None = 1500
    unet_steps: int | None = 7000
    minutes_vae: float = 15.0
    minutes_decoder: float = 8.0
    minutes_unet: float = 90.0
    vae_batch: int = 8
    unet_batch: int = 32
    vae_crop: int = 64  # px; the VAE is convolutional, so crops teach it 4× faster than 128²
    vae_lr: float = 2e-3
    decoder_batch: int = 4  # whole pictures
    decoder_lr: float = 1e-3
    unet_lr: float = 1e-3
    warmup: float = 0.02  # fraction of a phase the learning rate ramps up over, then a cosine
    ema_decay: float = 0.999  # the exported UNet and text encoder are these averages
    min_snr: float = 5.0  # Min-SNR loss weighting (Hang et al. 2023): faster convergence
    kl_weight: float = 1e-4
    # Weight of the training-only loss that pulls the position and shape words' attention
    # onto the named part of the picture (training/attention_guide.py); 0 leaves it out.
    # 0.005 (the shipped weights) learns positions and keeps the colours; 0.05 costs them.
    attention_weight: float = 0.005
    pool_size: int = 8192  # scenes encoded once for the UNet phase
    every: int = 250  # steps between checkpoints, loss plots and sample grids
    sample_steps: int = 20
    guidance: float = 7.0
