"""The main directions of variation of a feature map, for PCA-to-RGB pictures.

A randomized subspace iteration from a fixed-seed start: a few thin matrix products instead
of an eigen-decomposition of a 1280×1280 covariance, deterministic from step to step, and it
never touches torch's global random state, so watching a module cannot change the image.
"""

from __future__ import annotations

from typing import Any

_OVERSAMPLE = 4
_ITERATIONS = 4


def principal_axes(centered: Any, count: int) -> Any:
    """(features, k) unit axes of the largest variance of ``centered`` (rows × features).

    ``k`` is ``count`` or fewer when the data has fewer rows or features. Each axis is signed
    so that its largest loading is positive, which keeps colours from flipping between steps.
    """
    import torch

    rows, features = centered.shape
    count = min(count, rows, features)
    width = min(count + _OVERSAMPLE, rows, features)
    generator = torch.Generator(device=centered.device).manual_seed(0)
    start = torch.randn(features, width, generator=generator, device=centered.device)
    basis = start.to(centered.dtype)
    for _ in range(_ITERATIONS):
        basis, _ = torch.linalg.qr(centered.T @ (centered @ basis))
    _, _, right = torch.linalg.svd(centered @ basis, full_matrices=False)
    axes = basis @ right.T[:, :count]
    largest = axes.abs().argmax(dim=0)
    signs = torch.sign(axes[largest, torch.arange(count, device=axes.device)])
    return axes * torch.where(signs == 0, torch.ones_like(signs), signs)
