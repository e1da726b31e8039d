"""Single-file ``.safetensors`` checkpoints (the original Stable Diffusion layout).

diffusers converts the weights; the architecture comes from the family's shipped config folder
(or ``LoadOptions.config_dir``) and the tokenizer from the shipped CLIP files, so loading works
offline. The prediction type cannot be read from the weights: a sidecar ``<name>.yaml`` (the
convention of other SD apps) or ``LoadOptions.prediction_type`` decides it, else the family.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdstudio.engine.models.checkpoint_header import CheckpointInfo
from sdstudio.engine.models.family_configs import family_config_dir, load_clip_tokenizer
from sdstudio.engine.models.load_options import LoadOptions, PredictionType


def load_single_file(info: CheckpointInfo, dtype: Any, options: LoadOptions) -> Any:
    """Build a ``StableDiffusionPipeline`` from a checked checkpoint."""
    from diffusers import StableDiffusionPipeline

    config_dir = options.config_dir or family_config_dir(info.family)
    components: dict[str, Any] = {}
    if not (Path(config_dir) / "tokenizer").is_dir():
        components["tokenizer"] = load_clip_tokenizer(info.family)
    pipeline = StableDiffusionPipeline.from_single_file(
        str(info.path),
        config=str(config_dir),
        torch_dtype=dtype,
        local_files_only=True,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
        **components,
    )
    prediction = options.prediction_type or sidecar_prediction_type(info.path)
    if prediction is None and options.config_dir is None:
        prediction = info.family.value.default_prediction
    if prediction is not None:
        scheduler = pipeline.scheduler
        pipeline.scheduler = type(scheduler).from_config(
            scheduler.config, prediction_type=prediction.value
        )
    return pipeline


def sidecar_prediction_type(checkpoint: Path) -> PredictionType | None:
    """``model.params.parameterization`` from ``<checkpoint>.yaml`` beside the file, if any."""
    import yaml

    sidecar = checkpoint.with_suffix(".yaml")
    if not sidecar.is_file():
        return None
    try:
        config = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
        parameterization = config["model"]["params"].get("parameterization", "eps")
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return None
    return PredictionType.V_PREDICTION if parameterization == "v" else PredictionType.EPSILON
