"""What a family's text encoding hands the UNet, and CLIP encoding as diffusers does it.

The denoising loop only calls ``family.encode_prompt`` and passes ``unet_kwargs()`` on, so a
family whose UNet needs more than the prompt embeddings (SDXL's pooled embeddings and size
ids in ``added_cond_kwargs``) subclasses ``Conditioning`` without touching the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # torch loads with the first model, not with the app
    import torch


@dataclass(frozen=True)
class Conditioning:
    """Prompt embeddings for one UNet call per step: ``[negative, prompt]`` when guided."""

    embeddings: torch.Tensor

    @property
    def dtype(self) -> torch.dtype:
        """The dtype the latents are drawn in, so they match what the UNet computes with."""
        return self.embeddings.dtype

    def unet_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``UNet2DConditionModel.forward`` that carry the prompt."""
        return {"encoder_hidden_states": self.embeddings, "added_cond_kwargs": None}


def encode_text(
    tokenizer: Any, text_encoder: Any, text: str, device: torch.device, clip_skip: int = 1
) -> torch.Tensor:
    """Embed one prompt: pad to the tokenizer's max length, truncate what does not fit.

    ``clip_skip`` counts as A1111 does: 1 is the last layer; 2 reads the one before it,
    through the encoder's final layer norm, as diffusers' ``clip_skip=1`` does."""
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
    if clip_skip <= 1:
        embeddings = text_encoder(tokens.input_ids.to(device), attention_mask=attention_mask)[0]
    else:
        output = text_encoder(
            tokens.input_ids.to(device), attention_mask=attention_mask, output_hidden_states=True
        )
        layers = output.hidden_states
        embeddings = final_layer_norm(text_encoder)(layers[-min(clip_skip, len(layers))])
    return embeddings.to(dtype=text_encoder.dtype, device=device)


def final_layer_norm(text_encoder: Any) -> Any:
    """The encoder's last layer norm (transformers 5.6 moved it out of ``text_model``)."""
    inner = getattr(text_encoder, "text_model", text_encoder)
    return inner.final_layer_norm


def encode_for_guidance(
    tokenizer: Any,
    text_encoder: Any,
    prompt: str,
    negative_prompt: str,
    device: torch.device,
    guided: bool,
    clip_skip: int = 1,
) -> torch.Tensor:
    """Embeddings for one UNet call per step: ``[negative, prompt]`` when guided, else ``[prompt]``.

    Stacking both halves into a batch of 2 is what makes classifier-free guidance cost one
    UNet call instead of two.
    """
    import torch

    positive = encode_text(tokenizer, text_encoder, prompt, device, clip_skip)
    if not guided:
        return positive
    # diffusers' pipelines apply clip skip to the prompt alone; the negative keeps the usual
    # layer (A1111 skips in both), and diffusers' pictures are the bar.
    negative = encode_text(tokenizer, text_encoder, negative_prompt, device)
    return torch.cat([negative, positive])
