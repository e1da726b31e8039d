"""Running out of memory without losing the app: a clear message, and the memory given back.

Front ends wrap each run (and each model load) in ``run_guarded()``. When the device
runs out of memory the failed run's tensors are released before the user sees the message, so
the next run, perhaps smaller or with offload enabled, starts from a clean slate.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

from sdstudio.engine.errors import UserFacingError

SUGGESTION = (
    "Try a smaller width/height or fewer images at once, or enable model CPU offload "
    "(and attention slicing / VAE tiling) in the model options. The memory has been "
    "released; you can run again."
)
T = TypeVar("T")


class NotEnoughMemoryError(UserFacingError, MemoryError):
    """The device ran out of memory during a run or a load."""


def is_out_of_memory(error: BaseException) -> bool:
    """CUDA's OutOfMemoryError, MPS/CPU allocator failures, or Python's MemoryError."""
    import torch

    if isinstance(error, (torch.cuda.OutOfMemoryError, MemoryError)):
        return not isinstance(error, NotEnoughMemoryError)
    text = str(error).lower()
    return isinstance(error, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
    )


def run_guarded(work: Callable[[], T], doing: str = "this run") -> T:
    """Call ``work()``; an out-of-memory failure becomes a ``NotEnoughMemoryError``.

    Memory is released after the except block has ended: until then the failure's traceback
    keeps the failed run's frames, and so its tensors, alive.
    """
    try:
        return work()
    except BaseException as error:
        if not is_out_of_memory(error):
            raise
    release_memory()
    raise NotEnoughMemoryError(out_of_memory_message(doing))


def out_of_memory_message(doing: str) -> str:
    """What the user reads when ``doing`` ran out of memory: what happened and what to try."""
    return f"Out of memory during {doing}. {SUGGESTION}"


def release_memory() -> None:
    """Collect unreachable objects and hand cached accelerator memory back to the driver."""
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.ipc_collect()
    mps = getattr(torch, "mps", None)
    if mps is not None and torch.backends.mps.is_available():
        mps.empty_cache()
