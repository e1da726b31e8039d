"""Reading an upscaler file's weights without running anything the file contains.

Most upscalers are published as ``.pth`` pickles, which can hold code that runs on loading.
They are read with torch's ``weights_only`` unpickler, which only rebuilds tensors and plain
containers: a file that needs anything more is refused before any of it runs. (spandrel's own
``load_from_file`` uses a broader unpickler, and loads ``.pt`` files as TorchScript, which is
code; neither is used.) The state dict is then put in the layout spandrel expects
(``canonicalize_state_dict`` unwraps ``params_ema``, ``state_dict``... wrappers).
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.upscalers.model_files import MODEL_SUFFIXES
from sdstudio.engine.upscalers.spandrel_import import import_spandrel

if TYPE_CHECKING:
    import torch

# How torch's weights-only unpickler names a global it refuses (a function or class to load).
_GLOBAL = re.compile(r"GLOBAL ([\w.]+)")


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The weights in ``path``, on the CPU, in spandrel's layout."""
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise ModelLoadError(
            f"{path.name} is not an upscaler file sdstudio reads ({', '.join(MODEL_SUFFIXES)})."
        )
    data = _read_safetensors(path) if suffix == ".safetensors" else _read_pickle(path)
    if not isinstance(data, Mapping) or not data:
        raise ModelLoadError(f"{path.name} does not hold a model's weights.")
    return import_spandrel().canonicalize_state_dict(dict(data))


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(path, device="cpu")
    except Exception as error:  # SafetensorError, OSError: damaged or not safetensors
        raise ModelLoadError(f"{path.name} cannot be read as safetensors: {error}") from None


def _read_pickle(path: Path) -> Any:
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        needed = _GLOBAL.search(str(error))
        if needed is None:  # a pickle opcode that only a damaged file or another format has
            raise ModelLoadError(f"{path.name} is damaged or not a PyTorch weights file.") from None
        raise ModelLoadError(
            f"{path.name} needs code execution to load: its pickle asks for "
            f"{needed.group(1)}, not only tensors and plain containers, and sdstudio never runs "
            "code from model files. Use a .safetensors version of this upscaler."
        ) from None
    except Exception as error:  # truncated archives, TorchScript archives
        raise ModelLoadError(
            f"{path.name} cannot be read as weights: {type(error).__name__}: {error}"
        ) from None
