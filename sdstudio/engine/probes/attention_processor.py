"""A diffusers attention processor that also reports the prompt's cross-attention.

The layer's own processor still computes the layer's output, untouched, so an image made
while maps are captured is the image made without. Next to it, the prompt half of the batch
(the last item: index 1 with guidance, 0 without) gets its attention probabilities
computed explicitly through the layer's own projections and softmax, averaged over heads.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

ProbabilitySink = Callable[[Any], None]  # receives (image tokens, text tokens) float32


class AttentionMapProcessor:
    """Wraps one layer's original processor; hands the prompt's probabilities to ``sink``."""

    def __init__(self, original: Any, sink: ProbabilitySink) -> None:
        self.original = original
        self._sink = sink
        parameters = inspect.signature(original.__call__).parameters.values()
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
        self._accepted = None if takes_any else {p.name for p in parameters}

    def __call__(
        self,
        attn: Any,
        hidden_states: Any,
        encoder_hidden_states: Any = None,
        attention_mask: Any = None,
        **kwargs: Any,
    ) -> Any:
        if self._accepted is not None:  # as diffusers would have filtered them for the original
            kwargs = {key: value for key, value in kwargs.items() if key in self._accepted}
        output = self.original(
            attn,
            hidden_states,
            encoder_hidden_states=encoder_hidden_states,
            attention_mask=attention_mask,
            **kwargs,
        )
        if encoder_hidden_states is not None:
            self._sink(prompt_probabilities(attn, hidden_states, encoder_hidden_states))
        return output


def prompt_probabilities(attn: Any, hidden_states: Any, context: Any) -> Any:
    """softmax(QKᵀ·scale) of the batch's last item, mean over heads: (image tokens, text tokens).

    The same normalisations as the layer's forward are applied; attention masks are not
    (Stable Diffusion passes none to cross-attention).
    """
    hidden = hidden_states[-1:]
    context = context[-1:]
    if hidden.ndim == 4:
        hidden = hidden.flatten(2).transpose(1, 2)
    if attn.group_norm is not None:
        hidden = attn.group_norm(hidden.transpose(1, 2)).transpose(1, 2)
    if attn.norm_cross:
        context = attn.norm_encoder_hidden_states(context)
    query = attn.head_to_batch_dim(attn.to_q(hidden))
    key = attn.head_to_batch_dim(attn.to_k(context))
    if getattr(attn, "norm_q", None) is not None:
        query = attn.norm_q(query)
    if getattr(attn, "norm_k", None) is not None:
        key = attn.norm_k(key)
    return attn.get_attention_scores(query, key, None).float().mean(dim=0)
