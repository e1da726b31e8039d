"""Which captured sample is the prompt's and which the negative prompt's.

With classifier-free guidance the UNet runs on a batch of 2, negative first and prompt
second, while the text encoder runs twice with a batch of 1, prompt first and negative
second (see ``sdstudio.engine.models.families.conditioning``). Without guidance there is only
the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any


class CfgHalf(Enum):
    PROMPT = "prompt"
    NEGATIVE = "negative"
    BOTH = "both"  # negative and prompt side by side


def is_text_component(component: str) -> bool:
    return component.startswith("text_encoder")


def pick_sample(calls: Sequence[Any], component: str, half: CfgHalf) -> tuple[Any, CfgHalf]:
    """One sample (batch axis removed) for ``half``, and the half it really is.

    When the negative half does not exist (no guidance, or the VAE) the prompt's sample is
    returned and reported as such, so a front end can say what it shows.
    """
    if is_text_component(component):
        samples = {CfgHalf.PROMPT: _item(calls[0], 0)}
        if len(calls) > 1:
            samples[CfgHalf.NEGATIVE] = _item(calls[1], 0)
    else:
        batch = calls[-1]
        samples = {CfgHalf.PROMPT: _item(batch, -1)}
        if batch.ndim > 0 and batch.shape[0] > 1:
            samples[CfgHalf.NEGATIVE] = batch[0]
    if half in samples:
        return samples[half], half
    return samples[CfgHalf.PROMPT], CfgHalf.PROMPT


def combined_shape(calls: Sequence[Any], component: str) -> tuple[int, ...]:
    """The output shape with both halves in the batch, as the model browser reports it."""
    if is_text_component(component):
        return (len(calls), *calls[0].shape[1:])
    return tuple(calls[-1].shape)


def _item(batch: Any, index: int) -> Any:
    return batch[index] if batch.ndim > 0 else batch
