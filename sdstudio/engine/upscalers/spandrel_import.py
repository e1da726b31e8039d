"""Importing spandrel where torchvision is missing or does not work with the installed torch.

spandrel imports every architecture it knows when it is imported. Two of them, LaMa (an
inpainting model) and RestoreFormer (a face restorer), import
``torchvision.transforms.functional`` at import time for functions they only call while
running (``rotate`` with ``InterpolationMode``, ``normalize``). sdstudio installs a CPU build of
torch that no torchvision wheel on PyPI matches: a mismatched one fails at import ("operator
torchvision::nms does not exist"), and a matching one would pull a multi-GB CUDA torch. No
upscaler sdstudio runs uses those two architectures.

So when torchvision cannot be imported, a placeholder ``torchvision`` /
``torchvision.transforms`` / ``torchvision.transforms.functional`` is put in ``sys.modules``
just for spandrel's import, then taken out again: spandrel loads, nothing else ever sees the
placeholder (libraries that probe for torchvision still find none), and only calling one of
its functions fails, with a message that names torchvision. When torchvision imports fine, it
is used as it is and no placeholder is made.
"""

from __future__ import annotations

import enum
import importlib.machinery
import sys
import threading
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn

from sdstudio.engine.errors import UserFacingError

INSTALL_HINT = (
    "Upscaler models need the spandrel package, which is not installed: "
    'pip install "sdstudio[upscalers]" (Lanczos and Nearest work without it)'
)
_PLACEHOLDER_NAMES = ("torchvision", "torchvision.transforms", "torchvision.transforms.functional")
_lock = threading.Lock()


class TorchvisionMissing(UserFacingError):
    """An architecture called a torchvision function while only the placeholder was there."""


def import_spandrel() -> ModuleType:
    """The spandrel module, imported even without a working torchvision; a
    :class:`UserFacingError` saying how to install it when it (or a dependency) is missing."""
    with _lock:
        loaded = sys.modules.get("spandrel")
        if loaded is not None:
            return loaded
        if _torchvision_works():
            return _import()
        _forget_torchvision()
        sys.modules.update({name: _placeholder(name) for name in _PLACEHOLDER_NAMES})
        try:
            return _import()
        finally:
            _forget_torchvision()


def _import() -> ModuleType:
    try:
        import spandrel
    except ModuleNotFoundError as error:
        raise UserFacingError(f"{INSTALL_HINT} (missing: {error.name})") from None
    return spandrel


def _torchvision_works() -> bool:
    """Whether torchvision imports; a broken build may fail with any error, and warn first."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import torchvision.transforms.functional  # noqa: F401
    except Exception:
        return False
    return True


def _forget_torchvision() -> None:
    """Drop torchvision's modules: the pieces a failed import left, or the placeholder."""
    for name in [name for name in sys.modules if name.partition(".")[0] == "torchvision"]:
        del sys.modules[name]


def _placeholder(name: str) -> ModuleType:
    module = ModuleType(name, "Stands in for torchvision while spandrel is imported.")
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    if name == "torchvision.transforms.functional":
        module.InterpolationMode = _InterpolationMode  # type: ignore[attr-defined]
        module.rotate = _needs_torchvision("rotate")  # type: ignore[attr-defined]
        module.normalize = _needs_torchvision("normalize")  # type: ignore[attr-defined]
        module.__getattr__ = _any_function  # type: ignore[method-assign]
    else:
        module.__path__ = []  # a package, so that its submodules can be imported
    return module


class _InterpolationMode(enum.Enum):
    """Only named at call time by LaMa; the names exist so its ``import`` line succeeds."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def _needs_torchvision(function: str) -> Callable[..., NoReturn]:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise TorchvisionMissing(
            f"This upscaler architecture needs torchvision (torchvision.transforms.functional."
            f"{function}), which is not installed or does not work with this torch build."
        )

    return refuse


def _any_function(name: str) -> Callable[..., NoReturn]:
    """Names a later spandrel may import from the same module fail only when called."""
    if name.startswith("__"):
        raise AttributeError(name)
    return _needs_torchvision(name)
