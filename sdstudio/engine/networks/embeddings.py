"""Textual-inversion embeddings, loaded into the pipeline through diffusers'
``load_textual_inversion`` when a prompt names them.

Files come in A1111's formats (``string_to_param`` in a ``.pt``, ``emb_params`` in a
``.safetensors``), the diffusers one (``{token: vectors}``) and SDXL's (``clip_l`` and
``clip_g``). A ``.pt`` is read with ``weights_only``: a file that needs code to load is
refused. Only the embeddings the prompts name are kept loaded: an added token matches inside
words, so a loaded but unused one could change a prompt that merely contains its name.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import RequestError
from sdstudio.engine.networks.library import NetworkFile

if TYPE_CHECKING:
    import torch

SDXL_KEYS = {"tokenizer": "clip_l", "tokenizer_2": "clip_g"}

# Per pipeline: embedding name → (file, size, modification time) of what is loaded.
_loaded: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, int, int]]] = (
    weakref.WeakKeyDictionary()
)


def named_in(prompts: Sequence[str], embeddings: Sequence[NetworkFile]) -> list[NetworkFile]:
    """The embeddings whose names appear as words in any of ``prompts`` (case ignored)."""
    text = "\n".join(prompts)
    return [
        each
        for each in embeddings
        if re.search(rf"(?<![\w-]){re.escape(each.name)}(?![\w-])", text, re.IGNORECASE)
    ]


def read_vectors(file: NetworkFile) -> dict[str, torch.Tensor]:
    """The embedding's vectors, [count, width]: under ``""`` for one text encoder, or under
    ``clip_l``/``clip_g`` for SDXL's two."""
    import torch

    try:
        if file.path.suffix.lower() == ".safetensors":
            from safetensors.torch import load_file

            data: Any = load_file(str(file.path))
        else:
            data = torch.load(file.path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickles that need code, damaged files
        raise RequestError(
            f"The embedding {file.name!r} cannot be read safely: {type(error).__name__}"
        ) from None
    if isinstance(data, dict) and {"clip_l", "clip_g"} <= set(data):
        return {"clip_l": _matrix(data["clip_l"]), "clip_g": _matrix(data["clip_g"])}
    vectors = _single(data)
    if vectors is None:
        raise RequestError(f"{file.path.name} is not a textual-inversion embedding.")
    return {"": _matrix(vectors)}


def _single(data: Any) -> Any:
    import torch

    if isinstance(data, torch.Tensor):
        return data
    if not isinstance(data, dict):
        return None
    if "string_to_param" in data and isinstance(data["string_to_param"], dict):
        return next(iter(data["string_to_param"].values()), None)
    if "emb_params" in data:
        return data["emb_params"]
    tensors = [value for value in data.values() if isinstance(value, torch.Tensor)]
    return tensors[0] if len(tensors) == 1 else None


def _matrix(vectors: torch.Tensor) -> torch.Tensor:
    return vectors.detach().float().reshape(-1, vectors.shape[-1])


def apply_embeddings(
    pipeline: Any, wanted: Sequence[NetworkFile]
) -> tuple[list[NetworkFile], list[str]]:
    """Load ``wanted`` (and unload the others); returns those now loaded, and notices for
    the ones skipped because they were made for another model (their name then stays plain
    text, as in A1111)."""
    loaded = _loaded.setdefault(pipeline, {})
    stamps = {each.name.lower(): (each, _stamp(each)) for each in wanted}
    for name in [name for name in loaded if stamps.get(name, (None, None))[1] != loaded[name]]:
        _unload(pipeline, name)
        del loaded[name]
    applied, notices = [], []
    for name, (file, stamp) in stamps.items():
        problem = None if name in loaded else _load(pipeline, name, file)
        if problem:
            notices.append(problem)
            continue
        loaded[name] = stamp
        applied.append(file)
    return applied, notices


def _stamp(file: NetworkFile) -> tuple[str, int, int]:
    stat = file.path.stat()
    return (str(file.path.resolve()), stat.st_size, stat.st_mtime_ns)


def _encoders(pipeline: Any) -> list[tuple[str, Any, Any]]:
    pairs = [("tokenizer", "text_encoder"), ("tokenizer_2", "text_encoder_2")]
    return [
        (name, getattr(pipeline, name), getattr(pipeline, encoder))
        for name, encoder in pairs
        if getattr(pipeline, encoder, None) is not None
    ]


def _load(pipeline: Any, name: str, file: NetworkFile) -> str | None:
    vectors = read_vectors(file)
    encoders = _encoders(pipeline)
    for tokenizer_name, _, text_encoder in encoders:
        key = SDXL_KEYS[tokenizer_name] if len(vectors) > 1 else ""
        width = text_encoder.get_input_embeddings().weight.shape[-1]
        if key not in vectors or vectors[key].shape[-1] != width:
            return (
                f"The embedding {file.name!r} was made for another kind of model "
                f"(its vectors do not fit this text encoder's {width}); it is left out."
            )
    for tokenizer_name, tokenizer, text_encoder in encoders:
        key = SDXL_KEYS[tokenizer_name] if len(vectors) > 1 else ""
        try:
            pipeline.load_textual_inversion(
                vectors[key], token=name, tokenizer=tokenizer, text_encoder=text_encoder
            )
        except ValueError as error:
            return f"The embedding {file.name!r} could not be loaded: {error}"
    return None


def _unload(pipeline: Any, name: str) -> None:
    for _, tokenizer, text_encoder in _encoders(pipeline):
        added = tokenizer.added_tokens_encoder
        tokens = [name, *(t for t in added if re.fullmatch(rf"{re.escape(name)}_\d+", t))]
        if name in added:
            pipeline.unload_textual_inversion(
                tokens=tokens, tokenizer=tokenizer, text_encoder=text_encoder
            )
