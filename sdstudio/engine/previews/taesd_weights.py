"""Where TAESD weights come from: a path the user gave, the family's folder in
``SDSTUDIO_HOME/models``, the Hugging Face cache, or a download the user allowed.

Nothing here imports torch, so a front end can check the choice before it queues a run.
"""

from __future__ import annotations

from pathlib import Path

from sdstudio.engine.models.families import SD1, ModelFamily
from sdstudio.engine.paths import models_dir
from sdstudio.engine.previews.settings import PreviewError, PreviewSettings

HUB_OWNER = "madebyollin"


class TaesdUnavailable(PreviewError):
    """TAESD weights that cannot be found or read."""


def hub_repo(family: ModelFamily = SD1) -> str:
    """The hub repository of the family's TAESD weights (``madebyollin/taesd``...)."""
    return f"{HUB_OWNER}/{family.taesd_variant}"


def default_taesd_dir(family: ModelFamily = SD1) -> Path:
    """Where TAESD weights are picked up without any setting: ``SDSTUDIO_HOME/models/<variant>``."""
    return models_dir() / family.taesd_variant


def resolve_taesd_path(configured: str | None, family: ModelFamily = SD1) -> Path:
    """The configured path, else the family's default folder if it holds weights, else an error.

    Before a model is loaded (checking command-line options) the family is not known yet;
    SD 1.x's variant is what the demo and most models use.
    """
    if configured:
        path = Path(configured).expanduser()
        if not path.exists():
            raise TaesdUnavailable(f"TAESD weights not found: {configured}")
        return path
    fallback = default_taesd_dir(family)
    if (fallback / "config.json").is_file():
        return fallback
    raise TaesdUnavailable(_missing_message(family, fallback))


def taesd_source(settings: PreviewSettings, family: ModelFamily = SD1) -> Path | str:
    """The weights ``settings`` mean for ``family``: a path on disk, or a hub id when they are
    in the Hugging Face cache already or ``settings.allow_download`` lets them be fetched."""
    configured = settings.taesd_path_for(family.taesd_variant)
    try:
        return resolve_taesd_path(configured, family)
    except TaesdUnavailable:
        if configured:
            raise  # a path the user gave that is wrong is never replaced by a download
    repo = hub_repo(family)
    if settings.allow_download or _in_hub_cache(repo):
        return repo
    raise TaesdUnavailable(_missing_message(family, default_taesd_dir(family)))


def _in_hub_cache(repo: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo, "config.json"), str)


def _missing_message(family: ModelFamily, folder: Path) -> str:
    variant = family.taesd_variant
    return (
        "TAESD preview needs TAESD weights: set the TAESD path (Preferences in the window, "
        f"--taesd PATH on the command line), allow downloading {HUB_OWNER}/{variant}, or put "
        f"a diffusers AutoencoderTiny folder, such as a copy of {HUB_OWNER}/{variant}, in "
        f"{folder}"
    )
