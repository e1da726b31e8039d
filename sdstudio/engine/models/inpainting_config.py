"""Single-file inpainting checkpoints: the family's shipped configs with a 9-channel UNet.

The shipped configs describe each family's ordinary UNet (4 input channels). An inpainting
checkpoint (SD 1.5, 2.x or SDXL inpainting) has the same architecture with a wider first
convolution, so it loads with a copy of those configs whose UNet says so, written once to
``SDSTUDIO_HOME/cache/model_configs``. The copy is compared with what it should hold each time
it is used: a damaged, half-written or changed one is made again, and a cache that cannot be
written costs a temporary copy, not the load.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.paths import cache_dir

CONFIG_SUFFIXES = (".json", ".txt")  # configs, vocab.json, merges.txt
INPAINT_PIPELINES = {
    "StableDiffusionPipeline": "StableDiffusionInpaintPipeline",
    "StableDiffusionXLPipeline": "StableDiffusionXLInpaintPipeline",
}


def inpainting_config_dir(config_dir: Path, channels: int = 9) -> Path:
    """``config_dir`` with its UNet taking ``channels`` inputs: itself when it already does,
    else a copy made once in the cache, then reused while it is whole."""
    unet_file = config_dir / "unet" / "config.json"
    if not unet_file.is_file():  # a user's config folder: diffusers says what is missing
        return config_dir
    if read_model_json(unet_file).get("in_channels", 4) == channels:
        return config_dir
    name = f"{config_dir.name}-inpainting-{channels}"
    try:
        return _copy_once(config_dir, channels, cache_dir() / "model_configs" / name)
    except OSError:
        return _copy_once(config_dir, channels, Path(_scratch().name) / name)


def _copy_once(config_dir: Path, channels: int, target: Path) -> Path:
    files = _copied_files(config_dir, channels)
    if _holds(target, files):
        return target
    partial = target.with_name(target.name + ".partial")  # left by a killed build, if any
    if partial.exists():
        shutil.rmtree(partial)
    for name, data in files.items():
        (partial / name).parent.mkdir(parents=True, exist_ok=True)
        (partial / name).write_bytes(data)
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)  # whole or not at all, so a crash never leaves half a config
    return target


def _copied_files(config_dir: Path, channels: int) -> dict[str, bytes]:
    """What the copy holds, byte for byte: ``config_dir``'s configs and tokenizer files (the
    weights come from the checkpoint), the UNet and the pipeline class changed."""
    files = {
        path.relative_to(config_dir).as_posix(): path.read_bytes()
        for path in sorted(config_dir.rglob("*"))
        if path.is_file() and path.suffix in CONFIG_SUFFIXES
    }
    unet = read_model_json(config_dir / "unet" / "config.json")
    unet["in_channels"] = channels
    files["unet/config.json"] = json.dumps(unet, indent=2).encode("utf-8")
    index = read_model_json(config_dir / "model_index.json")
    index["_class_name"] = _inpaint_class(index.get("_class_name"))
    files["model_index.json"] = json.dumps(index, indent=2).encode("utf-8")
    return files


def _holds(target: Path, files: dict[str, bytes]) -> bool:
    """Whether ``target`` is exactly ``files``: a copy damaged or changed since is made again."""
    try:
        present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        return present == set(files) and all(
            (target / name).read_bytes() == data for name, data in files.items()
        )
    except OSError:
        return False


def _inpaint_class(class_name: object) -> object:
    return INPAINT_PIPELINES.get(class_name, class_name) if isinstance(class_name, str) else None


@cache
def _scratch() -> tempfile.TemporaryDirectory[str]:
    """A folder for this process alone, removed at exit (for when the cache cannot be written)."""
    return tempfile.TemporaryDirectory(prefix="sdstudio-configs-")
