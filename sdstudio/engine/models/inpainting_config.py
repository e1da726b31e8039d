"""Single-file inpainting checkpoints: the family's shipped configs with a 9-channel UNet.

The shipped configs describe each family's ordinary UNet (4 input channels). An inpainting
checkpoint (SD 1.5, 2.x or SDXL inpainting) has the same architecture with a wider first
convolution, so it loads with a copy of those configs whose UNet says so, written once to
``SDSTUDIO_HOME/cache/model_configs``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sdstudio.engine.paths import cache_dir

INPAINT_PIPELINES = {
    "StableDiffusionPipeline": "StableDiffusionInpaintPipeline",
    "StableDiffusionXLPipeline": "StableDiffusionXLInpaintPipeline",
}


def inpainting_config_dir(config_dir: Path, channels: int = 9) -> Path:
    """``config_dir`` with its UNet taking ``channels`` inputs: itself when it already does,
    else a copy made once in the cache, then reused."""
    unet_file = config_dir / "unet" / "config.json"
    if not unet_file.is_file():  # a user's config folder: diffusers says what is missing
        return config_dir
    if json.loads(unet_file.read_text(encoding="utf-8")).get("in_channels", 4) == channels:
        return config_dir
    target = cache_dir() / "model_configs" / f"{config_dir.name}-inpainting-{channels}"
    if (target / "model_index.json").is_file():
        return target
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    shutil.copytree(config_dir, partial)
    unet_file = partial / "unet" / "config.json"
    unet = json.loads(unet_file.read_text(encoding="utf-8"))
    unet["in_channels"] = channels
    unet_file.write_text(json.dumps(unet, indent=2), encoding="utf-8")
    index_file = partial / "model_index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    index["_class_name"] = INPAINT_PIPELINES.get(index["_class_name"], index["_class_name"])
    index_file.write_text(json.dumps(index, indent=2), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)  # whole or not at all, so a crash never leaves half a config
    return target
