"""The depth, normal and pose preprocessors that run a model the user points to.

Each declares the weights folder it reads (``annotator``: "depth" or "pose"); ``preprocess``
finds that folder in the :class:`AnnotatorWeights` it is given and passes it to ``run``. The
model code is imported only when a map is made.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sdstudio.engine.controlnet_preprocessors.annotator_weights import DEPTH, POSE
from sdstudio.engine.controlnet_preprocessors.parameters import Parameter
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor

DEPTH_MAP = "a depth map (near is white, far is black)"
POSE_MAP = "an OpenPose skeleton picture (coloured limbs on black)"
NORMAL_MAP = "a normal map (the surface direction as RGB)"


def _depth(image: Image.Image, folder: Path) -> Image.Image:
    from sdstudio.engine.controlnet_preprocessors.depth import depth_map

    return depth_map(image, folder)


def _normal(image: Image.Image, folder: Path, bg_threshold: float = 0.4) -> Image.Image:
    from sdstudio.engine.controlnet_preprocessors.depth import normal_map

    return normal_map(image, folder, bg_threshold)


def _pose(image: Image.Image, folder: Path) -> Image.Image:
    from sdstudio.engine.controlnet_preprocessors.pose import openpose

    return openpose(image, folder)


_DEPTH_NOTE = "the depth model in the depth folder (Preferences → ControlNet preprocessors)"


def _depth_preprocessor(name: str, label: str) -> Preprocessor:
    return Preprocessor(
        name=name,
        label=label,
        description=f"Depth, near white and far black, by {_DEPTH_NOTE}.",
        run=_depth,
        needs_weights=DEPTH_MAP,
        annotator=DEPTH,
    )


DEPTH_PREPROCESSORS: tuple[Preprocessor, ...] = (
    _depth_preprocessor("depth", "depth_midas"),
    _depth_preprocessor("depth_anything", "depth_anything"),
    _depth_preprocessor("depth_anything_v2", "depth_anything_v2"),
    _depth_preprocessor("depth_zoe", "depth_zoe"),
)

NORMAL_MIDAS = Preprocessor(
    name="normal_map",
    label="normal_midas",
    description=f"Surface normals as RGB, from {_DEPTH_NOTE}; far areas face the viewer.",
    run=_normal,
    parameters=(
        Parameter(
            "bg_threshold", "Normal Background Threshold", 0.4, 0.0, 1.0, step=0.01, slider=1
        ),
    ),
    needs_weights=NORMAL_MAP,
    annotator=DEPTH,
)

OPENPOSE = Preprocessor(
    name="openpose",
    label="openpose",
    description=(
        "An OpenPose skeleton by the ViTPose model in the pose folder (Preferences → "
        "ControlNet preprocessors): one person per picture, the whole picture as its box."
    ),
    run=_pose,
    needs_weights=POSE_MAP,
    annotator=POSE,
)

ANNOTATORS: tuple[Preprocessor, ...] = (*DEPTH_PREPROCESSORS, NORMAL_MIDAS, OPENPOSE)
