"""Where the depth and pose preprocessors find their model weights, checked without torch.

Depth (``depth_midas``, ``depth_anything``…, and ``normal_midas`` built on it) and pose
(``openpose``) run transformers models that the project neither ships nor downloads. Each kind
has one folder: the one a front end passes in :class:`AnnotatorWeights` (the window's
Preferences → ControlNet preprocessors), else ``SDSTUDIO_HOME/models/annotators/<kind>`` (what
the command line uses). A folder is usable when it holds a ``config.json``, a
``preprocessor_config.json`` and ``.safetensors`` weights; one with only pickle-based weights
(``.bin``, ``.pt``) is refused, as everywhere in the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sdstudio.engine.errors import RequestError
from sdstudio.engine.paths import models_dir

DEPTH = "depth"
POSE = "pose"
ANNOTATOR_KINDS = (DEPTH, POSE)
PREFERENCES_PLACE = "Preferences → ControlNet preprocessors"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")

# What to put in each folder, for the messages.
_EXAMPLES = {
    DEPTH: (
        "a transformers depth-estimation model (such as a saved copy of "
        "depth-anything/Depth-Anything-V2-Small-hf or Intel/dpt-hybrid-midas)"
    ),
    POSE: (
        "a transformers ViTPose model (such as a saved copy of usyd-community/vitpose-base-simple)"
    ),
}


class AnnotatorUnavailable(RequestError):
    """Depth or pose weights that are missing, pickled or cannot be loaded."""


def default_annotator_dir(kind: str) -> Path:
    """``SDSTUDIO_HOME/models/annotators/<kind>``: used when no folder is chosen."""
    _check_kind(kind)
    return models_dir() / "annotators" / kind


@dataclass(frozen=True)
class AnnotatorWeights:
    """The folders chosen for the depth and pose models; None: the default folder."""

    depth: Path | None = None
    pose: Path | None = None

    def chosen(self, kind: str) -> Path | None:
        _check_kind(kind)
        return self.depth if kind == DEPTH else self.pose

    def folder(self, kind: str) -> Path:
        """The folder the ``kind`` model is read from: the chosen one, else the default."""
        chosen = self.chosen(kind)
        return chosen.expanduser() if chosen is not None else default_annotator_dir(kind)

    def has_weights(self, kind: str) -> bool:
        """Whether the ``kind`` folder looks loadable (files only: nothing is read)."""
        return weights_problem(self.folder(kind)) is None

    def checked_folder(self, kind: str, preprocessor: str, brings: str) -> Path:
        """The ``kind`` folder, or an :class:`AnnotatorUnavailable` saying what is wrong with
        it, where to put weights, and that a map made elsewhere works with "none"."""
        folder = self.folder(kind)
        problem = weights_problem(folder)
        if problem is None:
            return folder
        where = (
            f"the folder chosen in {PREFERENCES_PLACE}"
            if self.chosen(kind) is not None
            else f"the default folder (choose another in {PREFERENCES_PLACE} in the window)"
        )
        raise AnnotatorUnavailable(
            f"The {preprocessor} preprocessor needs {_EXAMPLES[kind]} in {folder}, "
            f"{where}: {problem} Or make {brings} with another tool, give it as the control "
            'image, and choose the preprocessor "none".'
        )


def weights_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold a usable model, in a sentence; None when it can."""
    if not folder.is_dir():
        return "it does not exist." if not folder.exists() else "it is not a folder."
    if not (folder / "config.json").is_file():
        return "it has no config.json."
    if not (folder / "preprocessor_config.json").is_file():
        return "it has no preprocessor_config.json (the image processor's settings)."
    names = [path.name for path in folder.iterdir() if path.is_file()]
    if any(name.endswith(".safetensors") for name in names):
        return None
    pickles = sorted(name for name in names if name.lower().endswith(PICKLE_SUFFIXES))
    if pickles:
        return (
            f"it has only pickle-based weights ({', '.join(pickles)}), which can run code "
            "when opened, so sdstudio does not open them; use a copy with .safetensors weights."
        )
    return "it has no .safetensors weights."


def _check_kind(kind: str) -> None:
    if kind not in ANNOTATOR_KINDS:
        raise ValueError(f"unknown annotator kind {kind!r}")
