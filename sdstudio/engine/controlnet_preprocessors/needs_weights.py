"""Depth, pose and normal preprocessors: known by their A1111 names, refused with what to do.

They run learned models (MiDaS, LeReS, ZoeDepth, Depth Anything, OpenPose, DWPose, BAE,
DSINE) whose weights the project neither ships nor downloads. An infotext or a command line
naming one gets a sentence: make the map with another tool and give it as the control image
with the preprocessor "none".
"""

from __future__ import annotations

from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor
from sdstudio.engine.errors import RequestError

_DEPTH = "a depth map (near is white, far is black)"
_POSE = "an OpenPose skeleton picture (coloured limbs on black)"
_NORMAL = "a normal map (the surface direction as RGB)"

# (A1111 module name, A1111 label, what the user brings instead)
_NAMES: tuple[tuple[str, str, str], ...] = (
    ("depth", "depth_midas", _DEPTH),
    ("depth_leres", "depth_leres", _DEPTH),
    ("depth_leres++", "depth_leres++", _DEPTH),
    ("depth_zoe", "depth_zoe", _DEPTH),
    ("depth_anything", "depth_anything", _DEPTH),
    ("depth_anything_v2", "depth_anything_v2", _DEPTH),
    ("openpose", "openpose", _POSE),
    ("openpose_face", "openpose_face", _POSE),
    ("openpose_faceonly", "openpose_faceonly", _POSE),
    ("openpose_full", "openpose_full", _POSE),
    ("openpose_hand", "openpose_hand", _POSE),
    ("dw_openpose_full", "dw_openpose_full", _POSE),
    ("animal_openpose", "animal_openpose", _POSE),
    ("normal_bae", "normal_bae", _NORMAL),
    ("normal_map", "normal_midas", _NORMAL),
    ("normal_dsine", "normal_dsine", _NORMAL),
)


def refusal(preprocessor: Preprocessor) -> RequestError:
    """The error for running a preprocessor that needs weights: what to do instead."""
    return RequestError(
        f"The {preprocessor.label} preprocessor needs model weights that sdstudio does not "
        f"have. Make {preprocessor.needs_weights} with another tool, give it as the control "
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
