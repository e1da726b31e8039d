"""``<lora:NAME:WEIGHT>`` tags: which LoRAs a prompt asks for, and the prompt without them.

A1111's syntax: ``<kind:name[:weight[:unet weight]]>``; one weight applies to the UNet and the
text encoder alike, a second one to the UNet alone. The tags are taken out of the text the
text encoder reads (and kept in the prompt saved with the picture, as A1111 does).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sdstudio.engine.errors import RequestError

# A1111's pattern for extra-network tags, except that a tag never holds "<": an unclosed
# "<lora:" then stops at the next tag instead of rescanning the rest of the prompt.
NETWORK_TAG = re.compile(r"<(\w+):([^<>]+)>")
LORA_KINDS = frozenset({"lora", "lyco"})  # A1111 reads <lyco:…> tags as LoRAs too


@dataclass(frozen=True)
class LoraTag:
    """One LoRA the prompt asks for, with its weights as written."""

    name: str
    text_encoder_weight: float = 1.0
    unet_weight: float = 1.0

    @property
    def tag(self) -> str:
        weights = _number(self.text_encoder_weight)
        if self.unet_weight != self.text_encoder_weight:
            weights += ":" + _number(self.unet_weight)
        return f"<lora:{self.name}:{weights}>"


@dataclass(frozen=True)
class PromptNetworks:
    """The prompt's LoRA tags, and tags of kinds sdstudio does not run (hypernetworks)."""

    loras: tuple[LoraTag, ...] = ()
    unsupported: tuple[str, ...] = ()


def without_network_tags(prompt: str) -> str:
    """The text the text encoder reads: every extra-network tag removed, as A1111 does."""
    return NETWORK_TAG.sub("", prompt)


def network_tags(prompt: str) -> PromptNetworks:
    """The tags of ``prompt``; raises ``RequestError`` for a LoRA tag whose weight is not a
    number. A LoRA named twice counts once, with its last weights (as in A1111)."""
    loras: dict[str, LoraTag] = {}
    unsupported: list[str] = []
    for match in NETWORK_TAG.finditer(prompt):
        kind, params = match.group(1).lower(), match.group(2)
        if kind not in LORA_KINDS:
            unsupported.append(match.group(0))
            continue
        tag = _lora_tag(match.group(0), params.split(":"))
        loras[tag.name.lower()] = tag
    return PromptNetworks(tuple(loras.values()), tuple(unsupported))


def _lora_tag(written: str, params: list[str]) -> LoraTag:
    name = params[0].strip()
    if not name:
        raise RequestError(f"{written} names no LoRA")
    positional = [part for part in params[1:] if "=" not in part]
    named = dict(part.split("=", 1) for part in params[1:] if "=" in part)
    try:
        text_weight = float(named.get("te", positional[0] if positional else 1.0))
        unet_weight = float(
            named.get("unet", positional[1] if len(positional) > 1 else text_weight)
        )
    except ValueError:
        raise RequestError(
            f"{written}: the weight must be a number, as in <lora:{name}:0.8>"
        ) from None
    if not (math.isfinite(text_weight) and math.isfinite(unet_weight)):
        raise RequestError(f"{written}: the weight must be a finite number, as <lora:{name}:0.8>")
    return LoraTag(name, text_weight, unet_weight)


def _number(value: float) -> str:
    return f"{value:g}"
