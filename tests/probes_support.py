"""Helpers for the inspection tests: small fast requests and counting hooks."""

from __future__ import annotations

from typing import Any

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.probes import AttentionMapProcessor


def small_request(**changes: Any) -> GenerationRequest:
    settings: dict[str, Any] = {
        "prompt": "a red circle on the left",
        "negative_prompt": "blurry",
        "steps": 2,
        "width": 64,
        "height": 64,
        "seed": 7,
        "scheduler": "Euler",
    }
    settings.update(changes)
    return GenerationRequest(**settings)


def forward_hook_count(pipeline: Any) -> int:
    """Forward hooks (and pre-hooks) on every module of every component, but transformers'
    own: it installs output-capturing hooks, for good, the first time a text encoder is asked
    for its hidden states (clip skip, SDXL)."""
    return sum(
        1
        for component in (pipeline.unet, pipeline.vae, pipeline.text_encoder)
        for module in component.modules()
        for hook in (*module._forward_hooks.values(), *module._forward_pre_hooks.values())
        if "output_capturing_hook" not in getattr(hook, "__qualname__", "")
    )


def our_processors(pipeline: Any) -> list[str]:
    return [
        name
        for name, processor in pipeline.unet.attn_processors.items()
        if isinstance(processor, AttentionMapProcessor)
    ]
