"""Single-file ``.safetensors`` checkpoints (the original Stable Diffusion layout).

The family builds the pipeline (diffusers converts the weights); the architecture comes from
the family's shipped config folder (or ``LoadOptions.config_dir``) and the tokenizer from the
shipped CLIP files, so loading works offline. The prediction type cannot be read from the
weights: a sidecar ``<name>.yaml`` (the convention of other SD apps) or
``LoadOptions.prediction_type`` decides it, else the family's default. diffusers imports the
library each component of the config folder's ``model_index.json`` names, so those names are
checked first (``models.component_classes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.checkpoint_header import CheckpointInfo
from sdstudio.engine.models.component_classes import refused_components
from sdstudio.engine.models.families.config_files import family_config_dir
from sdstudio.engine.models.inpainting_config import inpainting_config_dir
from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.models.load_options import LoadOptions, PredictionType


def load_single_file(info: CheckpointInfo, dtype: Any, options: LoadOptions) -> Any:
    """The family's pipeline from a checked checkpoint, predicting what the file was trained to."""
    config_dir = Path(options.config_dir or family_config_dir(info.family, info.config_name))
    config_dir = inpainting_config_dir(config_dir, info.unet_in_channels)
    check_config_folder(config_dir)
    pipeline = info.family.load_single_file(info.path, config_dir, dtype)
    prediction = options.prediction_type or sidecar_prediction_type(info.path)
    if prediction is None and options.config_dir is None:
        prediction = _family_default(info)
    if prediction is not None:
        scheduler = pipeline.scheduler
        pipeline.scheduler = type(scheduler).from_config(
            scheduler.config, prediction_type=prediction.value
        )
    return pipeline


def check_config_folder(config_dir: Path) -> None:
    """The configs a checkpoint loads with name only library classes (diffusers imports any
    library their ``model_index.json`` names) and hold JSON objects."""
    index_file = config_dir / "model_index.json"
    if not index_file.is_file():  # diffusers says what is missing
        return
    for refused in refused_components(read_model_json(index_file)).values():
        raise ModelLoadError(
            f"{refused.describe()} The configs in {config_dir} cannot load a checkpoint."
        )
    for json_file in sorted(config_dir.glob("*/*.json")):
        read_model_json(json_file)


def check_fits(info: CheckpointInfo, config_dir: Path) -> None:
    """A file of the family's shape but another size (a distilled or custom model) fails in
    diffusers with a message about CLIP; say what does not match, before reading weights
    (and while the current model is still loaded)."""
    config_file = config_dir / "unet" / "config.json"
    if not config_file.is_file():  # a user's config folder: diffusers says what is missing
        return
    unet_config = read_model_json(config_file)
    expected = unet_config.get("cross_attention_dim")
    if info.cross_attention_width is not None and info.cross_attention_width != expected:
        raise ModelLoadError(
            f"{info.path.name} looks like a {info.family.label} model, but its UNet reads "
            f"{info.cross_attention_width}-wide text embeddings where the {info.family.label} "
            f"architecture reads {expected}: it is a resized or custom model, which sdstudio "
            "loads from a diffusers folder (its own configs) instead."
        )


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


def _family_default(info: CheckpointInfo) -> PredictionType:
    if info.family.capabilities.v_prediction_default:
        return PredictionType.V_PREDICTION
    return PredictionType.EPSILON
