"""How a model is loaded: memory savers, whether downloads are allowed, and overrides."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class PredictionType(str, Enum):
    """What the UNet predicts; a single-file checkpoint cannot say which one it was trained for."""

    EPSILON = "epsilon"
    V_PREDICTION = "v_prediction"


@dataclass(frozen=True)
class LoadOptions:
    """Choices the user makes when loading a model (the defaults suit a machine with enough memory).

    ``cpu_offload`` keeps each component on the CPU until it runs; it only applies on CUDA.
    ``allow_download`` lets a hub id be downloaded into the Hugging Face cache; without it a hub id
    loads only when it is already cached, so nothing is ever downloaded by surprise.
    ``prediction_type`` overrides what a single-file checkpoint's family implies (SD 2.x files are
    assumed to be v-prediction models unless a sidecar ``.yaml`` says otherwise).
    ``config_dir`` is a diffusers folder whose configs describe a single-file checkpoint, for
    checkpoints whose architecture differs from the family's standard one.
    ``vae`` is a diffusers VAE folder used instead of the model's own.
    """

    attention_slicing: bool = False
    vae_tiling: bool = False
    cpu_offload: bool = False
    allow_download: bool = False
    prediction_type: PredictionType | None = None
    config_dir: Path | None = None
    vae: Path | None = None
