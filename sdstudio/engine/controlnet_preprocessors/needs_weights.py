"""Depth, pose and normal preprocessors sdstudio cannot run: known by their A1111 names,
refused with what to do.

They need learned models (LeReS, OpenPose's face and hands, DWPose, animal poses, BAE, DSINE)
that the project has no code for. An infotext or a command line naming one gets a sentence:
make the map with another tool and give it as the control image with the preprocessor "none".
The depth models transformers reads (MiDaS, Depth Anything, ZoeDepth), the normals derived from
them and a one-person OpenPose run when the user points at their weights (``annotators.py``).
"""

from __future__ import annotations

from sdstudio.engine.controlnet_preprocessors.annotators import DEPTH_MAP as _DEPTH
from sdstudio.engine.controlnet_preprocessors.annotators import NORMAL_MAP as _NORMAL
from sdstudio.engine.controlnet_preprocessors.annotators import POSE_MAP as _POSE
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor
from sdstudio.engine.errors import RequestError

# (A1111 module name, A1111 label, what the user brings instead)
_NAMES: tuple[tuple[str, str, str], ...] = (
    ("depth_leres", "depth_leres", _DEPTH),
    ("depth_leres++", "depth_leres++", _DEPTH),
    ("openpose_face", "openpose_face", _POSE),
    ("openpose_faceonly", "openpose_faceonly", _POSE),
    ("openpose_full", "openpose_full", _POSE),
    ("openpose_hand", "openpose_hand", _POSE),
    ("dw_openpose_full", "dw_openpose_full", _POSE),
    ("animal_openpose", "animal_openpose", _POSE),
    ("normal_bae", "normal_bae", _NORMAL),
    ("normal_dsine", "normal_dsine", _NORMAL),
)


def refusal(preprocessor: Preprocessor) -> RequestError:
    """The error for running a preprocessor that needs weights: what to do instead."""
    return RequestError(
        f"The {preprocessor.label} preprocessor needs model weights that sdstudio cannot "
        f"run. Make {preprocessor.needs_weights} with another tool, give it as the control "
        'image, and choose the preprocessor "none".'
    )


NEEDING_WEIGHTS: tuple[Preprocessor, ...] = tuple(
    Preprocessor(
        name=name,
        label=label,
        description=f'Needs model weights; bring {brings} and use "none".',
        run=None,
        needs_weights=brings,
    )
    for name, label, brings in _NAMES
)
