"""The config and tokenizer files a family's single-file checkpoints are loaded with.

A single-file checkpoint holds only weights; the architecture comes from a diffusers config
folder shipped in ``resources/model_configs`` (small JSON files) and the CLIP tokenizer files
shipped beside them, so no download is needed to open a checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.resources import resources_dir

if TYPE_CHECKING:
    from sdstudio.engine.models.families.family import ModelFamily

TOKENIZER_FILES = ("vocab.json", "merges.txt")
# Hub repositories whose cached copies hold the same CLIP BPE files, and where in them.
_CACHED_TOKENIZER_REPOS = (
    ("openai/clip-vit-large-patch14", ""),
    ("stable-diffusion-v1-5/stable-diffusion-v1-5", "tokenizer/"),
    ("stabilityai/stable-diffusion-2-1", "tokenizer/"),
)


def family_config_dir(family: ModelFamily, config_name: str | None = None) -> Path:
    """The family's shipped diffusers configs (no weights), or an error saying to reinstall;
    ``config_name`` picks one of its architectures (SDXL's refiner)."""
    folder = resources_dir() / "model_configs" / (config_name or family.config_name)
    if not (folder / "model_index.json").is_file():
        raise ModelLoadError(
            f"The {family.label} config files are missing from {folder}; reinstall sdstudio."
        )
    return folder


def clip_tokenizer_dir() -> Path:
    """A folder with CLIP's vocab.json and merges.txt: the shipped one, else the HF cache's."""
    shipped = resources_dir() / "model_configs" / "clip_tokenizer"
    if all((shipped / name).is_file() for name in TOKENIZER_FILES):
        return shipped
    cached = _cached_tokenizer_dir()
    if cached is not None:
        return cached
    raise ModelLoadError(
        "The CLIP tokenizer files (vocab.json, merges.txt) that single-file checkpoints need "
        f"are missing: {shipped} is incomplete and the Hugging Face cache has no copy. "
        "Download them once (about 1.5 MB) with: "
        "hf download openai/clip-vit-large-patch14 vocab.json merges.txt tokenizer_config.json"
    )


def load_clip_tokenizer(pad_token: str):  # -> transformers.CLIPTokenizer
    """CLIP's tokenizer; SD 1.x and 2.x share its BPE and differ only in the padding token."""
    from transformers import CLIPTokenizer

    return CLIPTokenizer.from_pretrained(
        clip_tokenizer_dir(), pad_token=pad_token, model_max_length=77
    )


def _cached_tokenizer_dir() -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    from sdstudio.engine.models.hub_cache import hub_cache_dir

    for repo_id, prefix in _CACHED_TOKENIZER_REPOS:
        found = [
            try_to_load_from_cache(repo_id, prefix + name, cache_dir=hub_cache_dir())
            for name in TOKENIZER_FILES
        ]
        if all(isinstance(path, str) for path in found):
            folder = Path(found[0]).parent
            if all((folder / name).is_file() for name in TOKENIZER_FILES):
                return folder
    return None
