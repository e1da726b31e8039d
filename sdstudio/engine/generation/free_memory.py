"""How much memory a run may still take on its device: free GPU memory on CUDA (plus what
torch's allocator holds unused), the system's available memory elsewhere (MPS shares it).

The system's figure is Linux's ``MemAvailable`` (what can be allocated without swapping):
through psutil when it is installed, else read from ``/proc/meminfo``, else the free pages
``os.sysconf`` reports. ``None`` means the platform does not say, and nothing is refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

MEMINFO = Path("/proc/meminfo")


def free_bytes(device: torch.device) -> int | None:
    """Bytes a run on ``device`` can still allocate, or ``None`` when unknown."""
    if device.type == "cuda":
        return _free_cuda_bytes(device)
    return free_system_bytes()


def free_system_bytes() -> int | None:
    """The system's available memory in bytes, or ``None`` when no source answers."""
    try:
        import psutil
    except ImportError:
        pass
    else:
        return int(psutil.virtual_memory().available)
    from_meminfo = _meminfo_available()
    if from_meminfo is not None:
        return from_meminfo
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not POSIX, or the name is unknown here
        return None


def _meminfo_available() -> int | None:
    try:
        lines = MEMINFO.read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name == "MemAvailable":
            kilobytes = value.split()[0]
            return int(kilobytes) * 1024 if kilobytes.isdigit() else None
    return None


def _free_cuda_bytes(device: torch.device) -> int:
    import torch

    free, _total = torch.cuda.mem_get_info(device)
    # Memory torch's caching allocator reserved but no tensor uses is free to this process.
    cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
    return int(free) + max(int(cached), 0)
