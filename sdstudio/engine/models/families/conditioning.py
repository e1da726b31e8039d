"""What a family's text encoding hands the UNet, and CLIP encoding as A1111 reads prompts.

The denoising loop only calls ``family.encode_prompt`` and passes ``unet_kwargs()`` on, so a
family whose UNet needs more than the prompt embeddings (SDXL's pooled embeddings and size
ids in ``added_cond_kwargs``) subclasses ``Conditioning`` without touching the loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sdstudio.engine.prompts.weighted_encoding import encode_prompt_chunks

if TYPE_CHECKING:  # torch loads with the first model, not with the app
    import torch


@dataclass(frozen=True)
class Conditioning:
    """Prompt embeddings for the UNet: ``[negative, prompt]`` in one batch when guided.

    When the prompt and the negative span different numbers of 75-token chunks (and the user
    has not asked to pad them to the same length), they cannot share a batch: ``embeddings``
    then holds the prompt alone, ``negative`` the negative, and the UNet runs on the two
    guidance halves one after the other, as A1111 does by default.
    """

    embeddings: torch.Tensor
    negative: torch.Tensor | None = field(default=None, kw_only=True)

    @property
    def dtype(self) -> torch.dtype:
        """The dtype the latents are drawn in, so they match what the UNet computes with."""
        return self.embeddings.dtype

    def encoder_hidden_states(self) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """One batch, or (negative, prompt) for UNet calls per guidance half."""
        if self.negative is None:
            return self.embeddings
        return (self.negative, self.embeddings)

    def unet_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``UNet2DConditionModel.forward`` that carry the prompt."""
        return {"encoder_hidden_states": self.encoder_hidden_states(), "added_cond_kwargs": None}

    def repeated(self, rows: int) -> Conditioning:
        """The same conditioning for ``rows`` images denoised together: every tensor field
        (a subclass's too; each has one row per guidance half) with each row repeated in
        place, so a guided batch reads ``[negative × rows, prompt × rows]``, diffusers'
        ``num_images_per_prompt`` order, and halves kept apart get ``rows`` rows each."""
        if rows == 1:
            return self
        import torch

        changes = {}
        for each in dataclasses.fields(self):
            value = getattr(self, each.name)
            if isinstance(value, torch.Tensor):
                changes[each.name] = value.repeat_interleave(rows, dim=0)
        return dataclasses.replace(self, **changes)


def encode_text(
    tokenizer: Any, text_encoder: Any, text: str, device: torch.device, clip_skip: int = 1
) -> torch.Tensor:
    """Embed one prompt as A1111 does: 75-token chunks with attention weights, joined.

    ``clip_skip`` counts as A1111 does: 1 is the last layer; 2 reads the one before it,
    through the encoder's final layer norm, as diffusers' ``clip_skip=1`` does."""

    def encode(ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, None]:
        attention_mask = mask if getattr(text_encoder.config, "use_attention_mask", False) else None
        if clip_skip <= 1:
            return text_encoder(ids, attention_mask=attention_mask)[0], None
        output = text_encoder(ids, attention_mask=attention_mask, output_hidden_states=True)
        layers = output.hidden_states
        return final_layer_norm(text_encoder)(layers[-min(clip_skip, len(layers))]), None

    embeddings, _ = encode_prompt_chunks(tokenizer, text, encode, device)
    return embeddings.to(dtype=text_encoder.dtype, device=device)


def final_layer_norm(text_encoder: Any) -> Any:
    """The encoder's last layer norm (transformers 5.6 moved it out of ``text_model``)."""
    inner = getattr(text_encoder, "text_model", text_encoder)
    return inner.final_layer_norm


def guidance_pair(
    negative: torch.Tensor, positive: torch.Tensor, pad: bool, empty: Callable[[], torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(embeddings, negative) for :class:`Conditioning`: one batch ``[negative, positive]``
    when their lengths agree or ``pad`` extends the shorter with ``empty()`` chunks (A1111's
    "pad prompt/negative prompt to be same length"); else the two kept apart."""
    import torch

    if negative.shape[1] != positive.shape[1] and pad:
        chunk = empty()
        longest = max(negative.shape[1], positive.shape[1])
        negative, positive = (_padded(each, chunk, longest) for each in (negative, positive))
    if negative.shape[1] == positive.shape[1]:
        return torch.cat([negative, positive]), None
    return positive, negative


def _padded(states: torch.Tensor, chunk: torch.Tensor, length: int) -> torch.Tensor:
    import torch

    missing = (length - states.shape[1]) // chunk.shape[1]
    return torch.cat([states, *[chunk] * missing], dim=1) if missing else states


def encode_for_guidance(
    tokenizer: Any,
    text_encoder: Any,
    prompt: str,
    negative_prompt: str,
    device: torch.device,
    guided: bool,
    clip_skip: int = 1,
    pad: bool = False,
) -> Conditioning:
    """The prompt alone, or with its negative for classifier-free guidance.

    Stacking both halves into a batch of 2 is what makes guidance cost one UNet call instead
    of two, when their lengths allow it.
    """
    positive = encode_text(tokenizer, text_encoder, prompt, device, clip_skip)
    if not guided:
        return Conditioning(positive)
    # diffusers' pipelines apply clip skip to the prompt alone; the negative keeps the usual
    # layer (A1111 skips in both), and diffusers' pictures are the bar.
    negative = encode_text(tokenizer, text_encoder, negative_prompt, device)
    embeddings, apart = guidance_pair(
        negative, positive, pad, lambda: encode_text(tokenizer, text_encoder, "", device)
    )
    return Conditioning(embeddings, negative=apart)
