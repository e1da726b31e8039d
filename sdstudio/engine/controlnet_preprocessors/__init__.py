"""ControlNet preprocessors, and control image resizing.

A preprocessor turns the user's picture into the map a ControlNet reads (edges, a scribble,
lineart, a blurred or shuffled copy, depth, normals, a pose skeleton). Names, labels,
parameters and arithmetic are those of A1111's sd-webui-controlnet, so infotext written there
names the same preprocessor here. Depth, normal and pose run transformers models from the
folders :class:`AnnotatorWeights` names (the user brings the weights); the other depth, pose
and normal preprocessors are known but refused with what to do instead.

OpenCV, torch and transformers are imported only when a picture is processed: importing this
package stays cheap for the window's start.
"""

from sdstudio.engine.controlnet_preprocessors.annotator_weights import (
    AnnotatorUnavailable,
    AnnotatorWeights,
    default_annotator_dir,
)
from sdstudio.engine.controlnet_preprocessors.parameters import Parameter
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor
from sdstudio.engine.controlnet_preprocessors.registry import (
    PREPROCESSORS,
    find_preprocessor,
    preprocess,
)
from sdstudio.engine.controlnet_preprocessors.resize import ResizeMode, resize_control_image

__all__ = [
    "PREPROCESSORS",
    "AnnotatorUnavailable",
    "AnnotatorWeights",
    "default_annotator_dir",
    "Parameter",
    "Preprocessor",
    "ResizeMode",
    "find_preprocessor",
    "preprocess",
    "resize_control_image",
]
