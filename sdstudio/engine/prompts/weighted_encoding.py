"""Encoding A1111's chunks: each chunk through the text encoder, its weights applied with
A1111's "Original" emphasis, the chunks joined along the sequence.

"Original" emphasis scales each token's output vector by its weight, then rescales the whole
chunk so its mean is what it was unweighted; that keeps a heavily weighted prompt from
shifting the overall magnitude the UNet expects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sdstudio.engine.prompts.token_chunks import ChunkedPrompt, TokenChunk, chunk_prompt

if TYPE_CHECKING:  # torch loads with the first model, not with the app
    import torch

# Runs the encoder on a [1, 77] batch of ids (and its attention mask, for encoders that use
# one); returns the hidden states to weight and, for SDXL's second encoder, the pooled output.
ChunkEncoder = Callable[["torch.Tensor", "torch.Tensor | None"], "tuple[torch.Tensor, Any]"]


def encode_prompt_chunks(
    tokenizer: Any, text: str, encode: ChunkEncoder, device: torch.device
) -> tuple[torch.Tensor, Any]:
    """``text`` as [1, 77 × chunks, width] hidden states, and the first chunk's pooled output."""
    chunked = chunk_prompt(tokenizer, text, embedding_vectors(tokenizer))
    return encode_chunks(chunked, tokenizer, encode, device)


def encode_chunks(
    chunked: ChunkedPrompt, tokenizer: Any, encode: ChunkEncoder, device: torch.device
) -> tuple[torch.Tensor, Any]:
    import torch

    hidden, pooled = [], None
    for index, chunk in enumerate(chunked.chunks):
        ids, mask = _padded(chunk, tokenizer)
        states, chunk_pooled = encode(
            torch.tensor([ids], device=device), torch.tensor([mask], device=device)
        )
        if index == 0:
            pooled = chunk_pooled
        hidden.append(_emphasised(states, chunk.weights))
    return torch.cat(hidden, dim=1), pooled


def _padded(chunk: TokenChunk, tokenizer: Any) -> tuple[list[int], list[int]]:
    """The chunk's ids with the tokenizer's pad id after the first end token (OpenCLIP's "!";
    CLIP pads with the end token itself), and the attention mask that covers up to that end."""
    end, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    first_end = chunk.ids.index(end, 1)
    ids = list(chunk.ids)
    if pad is not None and pad != end:
        ids[first_end + 1 :] = [pad] * (len(ids) - first_end - 1)
    mask = [1] * (first_end + 1) + [0] * (len(ids) - first_end - 1)
    return ids, mask


def _emphasised(states: torch.Tensor, weights: list[float]) -> torch.Tensor:
    if all(weight == 1.0 for weight in weights):
        return states  # what the arithmetic below gives, without the rounding
    import torch

    original_mean = states.mean()
    factors = torch.tensor(weights, dtype=states.dtype, device=states.device).view(1, -1, 1)
    weighted = states * factors
    return weighted * (original_mean / weighted.mean())


def embedding_vectors(tokenizer: Any) -> dict[int, list[int]]:
    """For each textual-inversion embedding loaded into ``tokenizer`` (diffusers adds a token
    per vector: ``name``, ``name_1``, ``name_2``…), the id its name tokenizes to → the ids of
    all its vectors."""
    added = getattr(tokenizer, "added_tokens_encoder", {})
    special = set(getattr(tokenizer, "all_special_tokens", ()))
    vectors: dict[int, list[int]] = {}
    for token, token_id in added.items():
        if token in special or _is_extra_vector(token, added):
            continue
        ids = [token_id]
        while f"{token}_{len(ids)}" in added:
            ids.append(added[f"{token}_{len(ids)}"])
        vectors[token_id] = ids
    return vectors


def _is_extra_vector(token: str, added: dict[str, int]) -> bool:
    stem, _, number = token.rpartition("_")
    return bool(stem) and number.isdigit() and stem in added
