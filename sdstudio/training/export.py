"""The trained networks written as a diffusers folder sdstudio loads as an SD 1.x model."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def export_model(
    folder: Path,
    parts: dict[str, Any],
    record: dict[str, Any],
    log: Callable[[str], None] = print,
) -> Path:
    """Write ``parts`` (vae, text_encoder, tokenizer, unet) and SD's scheduler as a diffusers
    folder (safetensors only), with ``training.json``: ``record`` (config, seed, steps,
    minutes, losses) plus each weights file's sha256."""
    from sdstudio.engine.models.families import SD1
    from sdstudio.training import networks

    pipeline = SD1.assemble(**parts, scheduler=networks.inference_scheduler())
    if folder.exists():
        shutil.rmtree(folder)
    pipeline.save_pretrained(folder, safe_serialization=True)
    weights = sorted(folder.rglob("*.safetensors"))
    record = dict(record)
    record["weights"] = {
        str(path.relative_to(folder)): {"sha256": _sha256(path), "bytes": path.stat().st_size}
        for path in weights
    }
    record["weights_megabytes"] = round(sum(p.stat().st_size for p in weights) / 1e6, 3)
    (folder / "training.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    log(f"weights: {record['weights_megabytes']} MB in {len(weights)} safetensors files")
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
