"""The tensor a module's output stands for, found the way the model browser lists outputs.

Modules return a tensor, a tuple (a down block returns its hidden states and its skip
outputs), or a ``ModelOutput``. The browser shows the first tensor of that structure as the
module's output shape; the watcher captures that same tensor so both always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

_MAX_DEPTH = 2  # as deep as the browser looks into nested outputs


def first_tensor(value: Any, depth: int = 0) -> Any | None:
    """The first ``torch.Tensor`` inside ``value`` (tensor, mapping, dataclass, sequence)."""
    import torch

    if isinstance(value, torch.Tensor):
        return value
    if depth >= _MAX_DEPTH or value is None:
        return None
    if isinstance(value, Mapping):
        items = list(value.values())
    elif is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, field.name) for field in fields(value)]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        items = list(value)
    else:
        return None
    for item in items:
        found = first_tensor(item, depth + 1)
        if found is not None:
            return found
    return None
