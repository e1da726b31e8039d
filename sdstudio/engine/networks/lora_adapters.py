"""LoRAs applied to a loaded pipeline through diffusers' own loader (the PEFT backend).

diffusers reads kohya/sd-scripts and diffusers/PEFT files alike; each file becomes a named
adapter. Adapters stay loaded between runs, so changing a weight is one ``set_adapters``
call; a LoRA no longer asked for is deleted, and with none left the pipeline is restored to
its plain layers (``unload_lora_weights``), so the module tree is the model's own again.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.networks.library import NetworkFile

# The cross-attention width a LoRA's UNet layers expect, and the family that has it.
FAMILY_BY_WIDTH = {768: "SD 1.x", 1024: "SD 2.x", 2048: "SDXL"}
_LORA_DOWN = ("lora_down.weight", "lora_A.weight", "lora.down.weight", "lora_A.default.weight")

# Per pipeline: adapter name → (file, size, modification time) of what was loaded as it.
_loaded: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, int, int]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class LoraChoice:
    """A LoRA file and the weights it runs with."""

    file: NetworkFile
    text_encoder_weight: float = 1.0
    unet_weight: float = 1.0


def adapter_name(file: NetworkFile) -> str:
    """A PEFT adapter name for the file (letters, digits and underscores)."""
    return re.sub(r"\W", "_", file.name.lower())


def loaded_adapters(pipeline: Any) -> list[str]:
    return list(_loaded.get(pipeline, {}))


def apply_loras(pipeline: Any, choices: Sequence[LoraChoice]) -> None:
    """Make ``choices`` the pipeline's active LoRAs, with their weights; raises
    ``RequestError`` for a file made for another model family or that cannot be read."""
    loaded = _loaded.setdefault(pipeline, {})
    wanted = {adapter_name(choice.file): choice for choice in choices}
    if not wanted:
        if loaded:
            pipeline.unload_lora_weights()
            loaded.clear()
        return
    stale = [name for name in loaded if loaded[name] != _stamp(wanted.get(name))]
    if stale:
        pipeline.delete_adapters(stale)
        for name in stale:
            del loaded[name]
    for name, choice in wanted.items():
        if name not in loaded:
            _load(pipeline, name, choice.file)
            loaded[name] = _stamp(choice)
    pipeline.set_adapters(
        list(wanted), adapter_weights=[_weights(pipeline, c) for c in wanted.values()]
    )


def _stamp(choice: LoraChoice | None) -> tuple[str, int, int]:
    if choice is None:
        return ("", 0, 0)
    stat = choice.file.path.stat()
    return (str(choice.file.path.resolve()), stat.st_size, stat.st_mtime_ns)


def _load(pipeline: Any, name: str, file: NetworkFile) -> None:
    problem = family_problem(file, pipeline)
    if problem:
        raise RequestError(problem)
    try:
        pipeline.load_lora_weights(str(file.path), adapter_name=name)
    except (ValueError, RuntimeError, KeyError, OSError) as error:
        if name in _adapter_names(pipeline):
            pipeline.delete_adapters([name])
        raise RequestError(f"Could not apply the LoRA {file.name!r}: {error}") from None


def _adapter_names(pipeline: Any) -> set[str]:
    return {name for names in pipeline.get_list_adapters().values() for name in names}


def _weights(pipeline: Any, choice: LoraChoice) -> float | dict[str, float]:
    """One weight, or the UNet's and the text encoders' when a tag gives two."""
    if choice.text_encoder_weight == choice.unet_weight:
        return choice.unet_weight
    weights = {"unet": choice.unet_weight, "text_encoder": choice.text_encoder_weight}
    if getattr(pipeline, "text_encoder_2", None) is not None:
        weights["text_encoder_2"] = choice.text_encoder_weight
    return weights


def family_problem(file: NetworkFile, pipeline: Any) -> str | None:
    """Why the LoRA cannot go on this pipeline's model, judged from its header: the width of
    the text its cross-attention layers read must be the UNet's."""
    from sdstudio.engine.models.checkpoint_header import read_shapes

    try:
        shapes = read_shapes(file.path)
    except RequestError:
        raise
    except Exception as error:  # ModelLoadError: damaged or not safetensors
        return f"The LoRA {file.name!r} cannot be read: {error}"
    width = lora_text_width(shapes)
    expected = pipeline.unet.config.cross_attention_dim
    if width is None or width == expected:
        return None
    made_for = FAMILY_BY_WIDTH.get(width, f"a model with {width}-wide text embeddings")
    model_is = FAMILY_BY_WIDTH.get(expected, f"a model with {expected}-wide text embeddings")
    return (
        f"The LoRA {file.name!r} was made for {made_for}; the loaded model is {model_is} "
        f"(its cross-attention reads {expected}-wide text, the LoRA's {width}-wide)."
    )


def lora_text_width(shapes: Mapping[str, list[int]]) -> int | None:
    """The input width of the LoRA's cross-attention key layers, in any format."""
    for key, shape in shapes.items():
        if "attn2" in key and ("to_k" in key or "to_v" in key) and key.endswith(_LORA_DOWN):
            return shape[-1]
    return None
