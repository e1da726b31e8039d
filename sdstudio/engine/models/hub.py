"""Models named by a Hugging Face hub id, kept in the normal Hugging Face cache.

A hub id loads from the cache without any network access. It is downloaded only when the
caller allows it (``LoadOptions.allow_download``: the CLI's ``--allow-download``, the app's
"From hub id…" action), and only the files the model families' diffusers folders need, in
safetensors form: never pickles, never code (no ``trust_remote_code``).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.models.families import download_patterns
from sdstudio.engine.models.hub_cache import hub_cache_dir
from sdstudio.engine.models.load_progress import LoadProgress, LoadStage, ProgressCallback

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]*[A-Za-z0-9_]$")
_TRUE = {"1", "ON", "YES", "TRUE"}


def looks_like_hub_id(spec: str) -> bool:
    """``owner/name`` that is not an existing path (a path always wins)."""
    return bool(_HUB_ID.match(spec)) and not Path(spec).expanduser().exists()


def hub_offline() -> bool:
    from huggingface_hub import constants

    return constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").upper() in _TRUE


def fetch_hub_model(
    repo_id: str, allow_download: bool, progress: ProgressCallback | None = None
) -> Path:
    """The local snapshot folder of ``repo_id``, downloading it first only when allowed."""
    from huggingface_hub.errors import LocalEntryNotFoundError

    if allow_download and not hub_offline():
        return _download(repo_id, progress)
    try:
        return _cached(repo_id)
    except LocalEntryNotFoundError:
        if allow_download:
            raise ModelLoadError(
                f"Cannot download {repo_id}: downloads are switched off on this machine "
                "(HF_HUB_OFFLINE is set). Unset HF_HUB_OFFLINE and connect to the internet, "
                "or copy the model folder here and open it as a folder."
            ) from None
        raise ModelLoadError(
            f"{repo_id} is not in the Hugging Face cache ({hub_cache_dir()}). Allow the "
            "download to fetch it (sdstudio generate --allow-download, or 'From hub id…' "
            "in the app); a Stable Diffusion model is 2–5 GB."
        ) from None


def _cached(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download

    folder = snapshot_download(
        repo_id,
        cache_dir=hub_cache_dir(),
        allow_patterns=download_patterns(),
        local_files_only=True,
    )
    return Path(folder)


def _download(repo_id: str, progress: ProgressCallback | None) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
    )

    if progress is not None:
        progress(LoadProgress(LoadStage.DOWNLOADING, f"Downloading {repo_id}"))
    try:
        folder = snapshot_download(
            repo_id,
            cache_dir=hub_cache_dir(),
            allow_patterns=download_patterns(),
            tqdm_class=_progress_bar_class(repo_id, progress),
        )
    except GatedRepoError:
        raise ModelLoadError(
            f"{repo_id} is gated: accept its license on its hub page, then log in once with "
            "'hf auth login'."
        ) from None
    except RepositoryNotFoundError:
        raise ModelLoadError(
            f"There is no model {repo_id} on the Hugging Face hub (or it is private: log in "
            "with 'hf auth login'). Check the spelling, e.g. "
            "stable-diffusion-v1-5/stable-diffusion-v1-5."
        ) from None
    except LocalEntryNotFoundError:
        raise ModelLoadError(
            f"Could not reach the Hugging Face hub to download {repo_id}. Check the internet "
            "connection and try again."
        ) from None
    except (HfHubHTTPError, OSError) as error:
        raise ModelLoadError(f"Downloading {repo_id} failed: {error}") from None
    return Path(folder)


def _progress_bar_class(repo_id: str, progress: ProgressCallback | None):
    """A tqdm class that forwards the byte counts of huggingface_hub's bars to ``progress``."""
    from tqdm.std import tqdm

    class ProgressForwarder(tqdm):
        # huggingface_hub reports bytes on two bars: bytes received ("Downloading bytes", whose
        # total it over-estimates) and bytes written to disk, whose total is the real size.
        _byte_bars: list[tqdm] = []

        def __init__(self, *args, **kwargs):
            kwargs.update(disable=False, file=io.StringIO(), leave=False)
            kwargs.pop("name", None)
            if kwargs.get("unit") == "B":
                ProgressForwarder._byte_bars.append(self)
            super().__init__(*args, **kwargs)

        def display(self, msg=None, pos=None) -> None:
            if progress is None or self.unit != "B":
                return
            bars = [bar for bar in ProgressForwarder._byte_bars if hasattr(bar, "n")]
            written = [bar for bar in bars if not str(bar.desc).startswith("Downloading bytes")]
            bars = written or bars
            done = max((int(bar.n) for bar in bars), default=0)
            total = max((int(bar.total or 0) for bar in bars), default=0) or None
            progress(LoadProgress(LoadStage.DOWNLOADING, f"Downloading {repo_id}", done, total))

    return ProgressForwarder
