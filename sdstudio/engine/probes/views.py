"""From a module's captured output to one picture the activations panel shows as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PIL import Image

from sdstudio.engine.probes.activation_images import (
    channel_grid,
    heat_strip,
    pca_rgb,
    side_by_side,
)
from sdstudio.engine.probes.cfg_halves import CfgHalf, is_text_component, pick_sample
from sdstudio.engine.probes.spatial import LatentSize, token_grid


class ViewMode(Enum):
    CHANNELS = "channels"  # grid of the top-k channels by energy
    PCA = "pca"  # three main components as RGB
    STRIP = "strip"  # tokens × features (text) or a vector; chosen by shape, not by the user


@dataclass(frozen=True)
class ViewSettings:
    """How watched modules are drawn; ``mode`` applies to feature maps (CHANNELS or PCA)."""

    mode: ViewMode = ViewMode.CHANNELS
    half: CfgHalf = CfgHalf.PROMPT
    top_k: int = 16
    min_tile: int = 64


@dataclass(frozen=True)
class ViewContext:
    """What the drawing needs to know about the run: the latent grid and prompt lengths."""

    latent: LatentSize | None = None
    token_counts: dict[CfgHalf, int] | None = None  # start and end tokens included


@dataclass(frozen=True)
class ActivationView:
    """One watched module's picture at one step of one image.

    ``shape`` is the captured output's shape with both CFG halves in the batch (what the
    model browser shows). ``fresh`` is False when the module did not run again since the
    last picture (the text encoder runs once per image) and this is that picture again.
    ``final`` marks pictures collected when the image finished (VAE modules run then).
    """

    module_path: str
    image: Image.Image
    shape: tuple[int, ...]
    mode: ViewMode
    half: CfgHalf
    step: int
    total: int
    image_index: int = 0
    fresh: bool = True
    final: bool = False


def render_calls(
    calls: Sequence[Any], component: str, settings: ViewSettings, context: ViewContext
) -> tuple[Image.Image, ViewMode, CfgHalf]:
    """The picture for ``settings.half`` (or both halves side by side), its mode and half."""
    import torch

    with torch.no_grad():
        if settings.half is CfgHalf.BOTH:
            negative, shown = pick_sample(calls, component, CfgHalf.NEGATIVE)
            if shown is CfgHalf.NEGATIVE:
                prompt, _ = pick_sample(calls, component, CfgHalf.PROMPT)
                left, mode = render_sample(negative, component, settings, context, shown)
                right, _ = render_sample(prompt, component, settings, context, CfgHalf.PROMPT)
                return side_by_side([left, right]), mode, CfgHalf.BOTH
        sample, shown = pick_sample(calls, component, settings.half)
        image, mode = render_sample(sample, component, settings, context, shown)
        return image, mode, shown


def render_sample(
    sample: Any,
    component: str,
    settings: ViewSettings,
    context: ViewContext,
    half: CfgHalf = CfgHalf.PROMPT,
) -> tuple[Image.Image, ViewMode]:
    """One sample (no batch axis): feature maps as channels or PCA, the rest as a strip."""
    if sample.ndim == 2 and not is_text_component(component):
        grid = token_grid(sample.shape[0], context.latent)
        if grid is not None:  # image tokens: back to (features, height, width)
            sample = sample.T.reshape(sample.shape[1], *grid)
    if sample.ndim == 3 and not is_text_component(component):
        if settings.mode is ViewMode.PCA:
            return pca_rgb(sample, settings.min_tile), ViewMode.PCA
        return channel_grid(sample, settings.top_k, settings.min_tile), ViewMode.CHANNELS
    rows = sample.reshape(-1, sample.shape[-1]) if sample.ndim >= 2 else sample.reshape(1, -1)
    if is_text_component(component) and context.token_counts and half in context.token_counts:
        rows = rows[: context.token_counts[half]]
    return heat_strip(rows), ViewMode.STRIP
