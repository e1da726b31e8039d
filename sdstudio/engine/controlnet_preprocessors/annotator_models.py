"""Loading the depth and pose models from their folders, once, and keeping them.

transformers reads a folder (``local_files_only``, ``.safetensors`` only: the folder is
checked first, a sharded index too) into a model and its image processor, on the CPU in
float32: the maps are made off the GUI thread while the GPU may be busy generating. One model
per kind is kept, for the folder it came from (and the files' dates: weights replaced on disk
are read again); choosing another folder replaces it. Loading runs under a lock, so two
previews asking at once load it once.

torch and transformers are imported here only when a model is loaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdstudio.engine.controlnet_preprocessors.annotator_weights import (
    DEPTH,
    POSE,
    AnnotatorUnavailable,
)
from sdstudio.engine.errors import UserFacingError

_LOCK = threading.Lock()
_LOADED: dict[str, tuple[tuple, LoadedAnnotator]] = {}


@dataclass(frozen=True)
class LoadedAnnotator:
    """A model in eval mode and the image processor saved beside it."""

    model: Any
    processor: Any
    lock: threading.Lock  # one picture at a time through the model


def loaded_annotator(kind: str, folder: Path) -> LoadedAnnotator:
    """The ``kind`` model of ``folder`` (already checked to hold weights), loaded now or kept
    from before; an :class:`AnnotatorUnavailable` naming the folder when it cannot be read."""
    key = (str(folder.resolve()), _signature(folder))
    with _LOCK:
        kept = _LOADED.get(kind)
        if kept is not None and kept[0] == key:
            return kept[1]
        _LOADED.pop(kind, None)  # the old one goes before the new one loads
        loaded = _load(kind, folder)
        _LOADED[kind] = (key, loaded)
        return loaded


def forget_annotators() -> None:
    """Drop the kept models (their memory goes back when nothing else holds them)."""
    with _LOCK:
        _LOADED.clear()


def model_failure(kind: str, folder: Path, error: Exception) -> AnnotatorUnavailable:
    """A model that loaded but failed on a picture (weights that do not fit the config…),
    as a sentence for the user."""
    what = "depth" if kind == DEPTH else "pose"
    return AnnotatorUnavailable(
        f"The {what} model in {folder} could not process the picture: "
        f"{type(error).__name__}: {_first_line(error)}"
    )


def _signature(folder: Path) -> tuple:
    """The files' names, sizes and dates: weights replaced in place are read again."""
    try:
        files = sorted(path for path in folder.iterdir() if path.is_file())
        return tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in files)
    except OSError:
        return ()


def _load(kind: str, folder: Path) -> LoadedAnnotator:
    from sdstudio.engine.models.weight_shards import check_weight_shards

    what = "depth" if kind == DEPTH else "pose"
    try:
        check_weight_shards(folder)  # an index may point at a pickle
        config = _model_type(folder)
        if kind == POSE and config != "vitpose":
            raise AnnotatorUnavailable(
                f"The pose model in {folder} is a {config or 'model of unknown type'}, not a "
                "ViTPose model (model_type vitpose in its config.json)."
            )
        model, processor = _read(kind, folder)
    except AnnotatorUnavailable:
        raise
    except UserFacingError as error:
        raise AnnotatorUnavailable(
            f"Could not load the {what} model in {folder}: {error}"
        ) from error
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, AttributeError) as error:
        raise AnnotatorUnavailable(
            f"Could not load the {what} model in {folder}: {type(error).__name__}: "
            f"{_first_line(error)}"
        ) from error
    return LoadedAnnotator(model.eval(), processor, threading.Lock())


def _read(kind: str, folder: Path) -> tuple[Any, Any]:
    import torch
    from transformers import AutoImageProcessor

    options = {"local_files_only": True, "use_safetensors": True, "dtype": torch.float32}
    if kind == DEPTH:
        from transformers import AutoModelForDepthEstimation

        model = AutoModelForDepthEstimation.from_pretrained(folder, **options)
    else:
        from transformers import VitPoseForPoseEstimation

        model = VitPoseForPoseEstimation.from_pretrained(folder, **options)
    processor = AutoImageProcessor.from_pretrained(folder, local_files_only=True, backend="pil")
    return model.to("cpu"), processor


def _model_type(folder: Path) -> str:
    from sdstudio.engine.models.json_files import read_model_json

    value = read_model_json(folder / "config.json").get("model_type", "")
    return value if isinstance(value, str) else ""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no details"
