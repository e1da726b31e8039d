"""An upscaler model file turned into a network by spandrel, which detects its architecture
(ESRGAN, Real-ESRGAN, SwinIR, DAT, HAT...) and its scale from the weights alone.

Only image-to-image models of one or three channels are accepted (super-resolution and
restoration); spandrel also knows face restorers and inpainting models, which are not
upscalers. The last model loaded is kept, so a batch of hires-fix images or a second CLI pass
does not read the file again; a file changed on disk is read anew.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.upscalers.spandrel_import import import_spandrel
from sdstudio.engine.upscalers.weights import read_state_dict

UPSCALER_PURPOSES = ("SR", "Restoration")
IMAGE_CHANNELS = (1, 3)
_PURPOSES = {"FaceSR": "face restoration", "Inpainting": "inpainting"}

_lock = threading.Lock()
_last: tuple[tuple[str, int, int], UpscalerModel] | None = None


@dataclass(frozen=True)
class UpscalerModel:
    """A loaded upscaler: ``descriptor`` is spandrel's ``ImageModelDescriptor``."""

    path: Path
    descriptor: Any

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def scale(self) -> int:
        return int(self.descriptor.scale)

    @property
    def architecture(self) -> str:
        return str(self.descriptor.architecture.name)

    @property
    def channels(self) -> int:
        return int(self.descriptor.input_channels)


def load_upscaler_model(path: Path) -> UpscalerModel:
    """The model in ``path`` on the CPU in float32; a :class:`ModelLoadError` saying why a file
    cannot be used as an upscaler."""
    global _last
    key = _file_key(path)
    with _lock:
        if _last is not None and _last[0] == key:
            return _last[1]
        model = UpscalerModel(path, _descriptor(path))
        _last = (key, model)
        return model


def _file_key(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except OSError as error:
        raise ModelLoadError(f"Cannot read the upscaler {path}: {error.strerror}") from None
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def _descriptor(path: Path) -> Any:
    spandrel = import_spandrel()
    state_dict = read_state_dict(path)
    try:
        descriptor = spandrel.ModelLoader("cpu").load_from_state_dict(state_dict)
    except spandrel.UnsupportedModelError:
        raise ModelLoadError(
            f"{path.name} is not an architecture spandrel {spandrel.__version__} knows "
            "(ESRGAN, Real-ESRGAN, SwinIR, DAT, HAT...)."
        ) from None
    except Exception as error:  # shapes that match no variant of the detected architecture
        raise ModelLoadError(
            f"{path.name} could not be built as an upscaler: {type(error).__name__}: {error}"
        ) from None
    purpose = getattr(descriptor, "purpose", "Inpainting")
    if purpose not in UPSCALER_PURPOSES:
        use = _PURPOSES.get(purpose, purpose)
        raise ModelLoadError(
            f"{path.name} is a {descriptor.architecture.name} model for {use}, not an upscaler."
        )
    channels = (descriptor.input_channels, descriptor.output_channels)
    if channels[0] != channels[1] or channels[0] not in IMAGE_CHANNELS:
        raise ModelLoadError(
            f"{path.name} turns {channels[0]}-channel images into {channels[1]}-channel ones; "
            "sdstudio upscales RGB or greyscale pictures only."
        )
    return descriptor.eval()
