"""A1111's prompt conditioning, written out plainly from its documented algorithm, as the
reference the engine's chunked, weighted encoding is compared with.

Deliberately simple: flat (token, weight) lists, split at BREAK and every 75 tokens (the
prompts compared here never trigger comma backtrack, which has its own tests), each chunk
wrapped as ``[start] tokens [end]…``, encoded, weighted, mean restored, joined.
"""

from __future__ import annotations

import torch

from sdstudio.engine.prompts.attention_syntax import parse_attention


def reference_token_groups(tokenizer, prompt: str) -> list[list[tuple[int, float]]]:
    groups: list[list[tuple[int, float]]] = [[]]
    for piece in parse_attention(prompt):
        if piece.text == "BREAK" and piece.weight == -1:
            groups.append([])
            continue
        for token in tokenizer(piece.text, add_special_tokens=False).input_ids:
            if len(groups[-1]) == 75:
                groups.append([])
            groups[-1].append((token, piece.weight))
    return groups


def reference_conditioning(tokenizer, encode, prompt: str) -> torch.Tensor:
    """``encode(ids [1, 77]) -> hidden states [1, 77, width]``."""
    outputs = []
    for group in reference_token_groups(tokenizer, prompt):
        ids = [tokenizer.bos_token_id] + [token for token, _ in group]
        ids.append(tokenizer.eos_token_id)
        ids += [tokenizer.pad_token_id] * (77 - len(ids))
        weights = torch.tensor([1.0] + [w for _, w in group] + [1.0] * (76 - len(group)))
        z = encode(torch.tensor([ids]))
        weighted = z * weights.view(1, -1, 1)
        outputs.append(weighted * (z.mean() / weighted.mean()))
    return torch.cat(outputs, dim=1)
