"""Every preprocessor by A1111 module name, and ``preprocess``, the one way to run one.

``PREPROCESSORS`` lists the ones that run here first ("none" at the top, as A1111's dropdown
has it), then those that run a model the user points to (depth, normal, pose), then those
sdstudio cannot run; a command line and a window build their choices and controls from it.
``preprocess`` finds a preprocessor by its name or its A1111 label (what an infotext's
"Module:" holds), checks the parameters and the weights folder, and runs it.
"""

from __future__ import annotations

from PIL import Image

from sdstudio.engine.controlnet_preprocessors.annotator_weights import AnnotatorWeights
from sdstudio.engine.controlnet_preprocessors.annotators import ANNOTATORS
from sdstudio.engine.controlnet_preprocessors.blur_and_tile import BLUR_GAUSSIAN, TILE_RESAMPLE
from sdstudio.engine.controlnet_preprocessors.edges import CANNY, LINEART_STANDARD, SCRIBBLE_XDOG
from sdstudio.engine.controlnet_preprocessors.needs_weights import NEEDING_WEIGHTS, refusal
from sdstudio.engine.controlnet_preprocessors.passthrough import INVERT, NONE
from sdstudio.engine.controlnet_preprocessors.preprocessor import Preprocessor
from sdstudio.engine.controlnet_preprocessors.shuffle import SHUFFLE
from sdstudio.engine.errors import RequestError

PREPROCESSORS: dict[str, Preprocessor] = {
    preprocessor.name: preprocessor
    for preprocessor in (
        NONE,
        INVERT,
        CANNY,
        SCRIBBLE_XDOG,
        LINEART_STANDARD,
        TILE_RESAMPLE,
        BLUR_GAUSSIAN,
        SHUFFLE,
        *ANNOTATORS,
        *NEEDING_WEIGHTS,
    )
}

_BY_LABEL: dict[str, Preprocessor] = {p.label: p for p in PREPROCESSORS.values()}


def find_preprocessor(name: str) -> Preprocessor:
    """The preprocessor of that A1111 name or label; a ``RequestError`` listing the known ones."""
    found = PREPROCESSORS.get(name) or _BY_LABEL.get(name)
    if found is not None:
        return found
    runnable = ", ".join(p.name for p in PREPROCESSORS.values() if p.available)
    needing = ", ".join(p.label for p in PREPROCESSORS.values() if not p.available)
    raise RequestError(
        f"Unknown ControlNet preprocessor {name!r}. Known: {runnable}. "
        f"Known but needing model weights: {needing}."
    )


def preprocess(
    name: str,
    image: Image.Image,
    *,
    annotators: AnnotatorWeights | None = None,
    **params: object,
) -> Image.Image:
    """Run the preprocessor ``name`` on ``image`` with ``params`` (defaults for the others).

    A depth, normal or pose preprocessor reads its model from the folder ``annotators`` names
    (None: the default folders in ``SDSTUDIO_HOME/models/annotators``). The result is RGB, at
    the picture's size except for "tile_resample" (smaller). Unknown names, preprocessors that
    cannot run here, unknown parameters, values out of range and a weights folder without
    usable weights are refused with a ``RequestError`` before any work.
    """
    preprocessor = find_preprocessor(name)
    if preprocessor.run is None:
        raise refusal(preprocessor)
    values = preprocessor.checked_parameters(params)
    if image.width < 1 or image.height < 1:
        raise RequestError("The control image is empty (0 pixels wide or high).")
    if preprocessor.annotator is None:
        return preprocessor.run(image, **values)
    folder = (annotators or AnnotatorWeights()).checked_folder(
        preprocessor.annotator, preprocessor.label, preprocessor.needs_weights or "the map"
    )
    return preprocessor.run(image, folder, **values)
