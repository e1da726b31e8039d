"""Choosing where the model runs: ``auto`` means CUDA, then MPS, then CPU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sdstudio.engine.errors import RequestError

if TYPE_CHECKING:
    import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


@dataclass(frozen=True)
class DevicePlacement:
    device: torch.device
    dtype: torch.dtype

    @property
    def label(self) -> str:
        return f"{self.device.type} ({str(self.dtype).removeprefix('torch.')})"


def resolve_device(name: str = "auto") -> DevicePlacement:
    """The device and dtype for a name: fp16 on CUDA, fp32 elsewhere."""
    import torch

    if name not in DEVICE_CHOICES:
        raise RequestError(f"Unknown device {name!r}; choose one of: {', '.join(DEVICE_CHOICES)}")
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            name = "mps"
        else:
            name = "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise RequestError("CUDA was requested but no CUDA GPU is available")
    if name == "mps" and not torch.backends.mps.is_available():
        raise RequestError("MPS was requested but is not available on this machine")
    dtype = torch.float16 if name == "cuda" else torch.float32
    return DevicePlacement(torch.device(name), dtype)
