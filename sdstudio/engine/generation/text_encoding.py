"""Prompt text to CLIP embeddings, exactly as diffusers' Stable Diffusion pipelines do it."""

from __future__ import annotations

from typing import Any

import torch


def encode_text(tokenizer: Any, text_encoder: Any, text: str, device: torch.device) -> torch.Tensor:
    """Embed one prompt: pad to the tokenizer's max length, truncate what does not fit."""
    tokens = tokenizer(
        [text],
        padding="max_length",
        max_length=tokenizer.model_max_length,
        truncation=True,
        return_tensors="pt",
    )
    attention_mask = None
    if getattr(text_encoder.config, "use_attention_mask", False):
        attention_mask = tokens.attention_mask.to(device)
    embeddings = text_encoder(tokens.input_ids.to(device), attention_mask=attention_mask)[0]
    return embeddings.to(dtype=text_encoder.dtype, device=device)


def encode_for_guidance(
    tokenizer: Any,
    text_encoder: Any,
    prompt: str,
    negative_prompt: str,
    device: torch.device,
    guided: bool,
) -> torch.Tensor:
    """Embeddings for one UNet call per step: ``[negative, prompt]`` when guided, else ``[prompt]``.

    Stacking both halves into a batch of 2 is what makes classifier-free guidance cost one
    UNet call instead of two.
    """
    positive = encode_text(tokenizer, text_encoder, prompt, device)
    if not guided:
        return positive
    negative = encode_text(tokenizer, text_encoder, negative_prompt, device)
    return torch.cat([negative, positive])
