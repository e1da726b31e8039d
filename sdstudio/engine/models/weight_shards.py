"""Sharded weights: every shard an index names must be a ``.safetensors`` file beside it.

diffusers and transformers read ``*.safetensors.index.json`` and open each file its
``weight_map`` names with the reader the file's suffix calls for, so a ``.bin`` shard goes
through torch's unpickler (which sdstudio never runs on a model's files) and ``../x`` reaches
out of the folder. Every index is checked before any weight is read.
"""

from __future__ import annotations

from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.json_files import read_model_json

INDEX_PATTERN = "*.safetensors.index.json"
SHARD_SUFFIX = ".safetensors"  # the loaders compare it exactly: ".SAFETENSORS" is unpickled


def check_weight_shards(component_dir: Path) -> None:
    """Refuse, naming the file, an index in ``component_dir`` whose shards are not all
    ``.safetensors`` files in that folder."""
    for index_file in sorted(component_dir.glob(INDEX_PATTERN)):
        weight_map = read_model_json(index_file).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise ModelLoadError(f"{index_file} is damaged (it has no weight_map of shards).")
        for shard in sorted({str(name) for name in weight_map.values()}):
            _check_shard(index_file, shard)


def _check_shard(index_file: Path, shard: str) -> None:
    if Path(shard).name != shard or shard in ("", ".", ".."):
        raise ModelLoadError(
            f"{index_file} names the weights file {shard!r} outside its folder; sdstudio "
            "only reads shards that lie beside their index."
        )
    if not shard.endswith(SHARD_SUFFIX):
        raise ModelLoadError(
            f"{index_file} names the weights file {shard}, which is not a .safetensors file. "
            "Pickle-based weights (.bin, .pt, .ckpt) can run code when opened, so sdstudio "
            "does not open them. Use a copy of the model with .safetensors weights."
        )
    if not (index_file.parent / shard).is_file():
        raise ModelLoadError(
            f"{index_file} names the weights file {shard}, which is missing. Copy or download "
            "the complete model again."
        )
