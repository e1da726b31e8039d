"""What the LoRAs and embeddings panel shows about a file, read from its safetensors header
only (no tensor is loaded): the base model it was trained on, its training resolution, and
its trigger words (the most frequent tags of ``ss_tag_frequency``, as sd-scripts records
them)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sdstudio.engine.networks.library import NetworkFile

TRIGGER_WORDS = 8  # the most frequent training tags shown


@dataclass(frozen=True)
class NetworkInfo:
    base_model: str = ""
    resolution: str = ""
    trigger_words: tuple[str, ...] = ()
    problem: str = ""  # why the header could not be read, for the panel to show


def network_info(network: NetworkFile) -> NetworkInfo:
    if network.path.suffix.lower() != ".safetensors":
        return NetworkInfo()
    try:
        metadata = read_metadata(network)
    except (OSError, ValueError) as error:
        return NetworkInfo(problem=f"unreadable: {error}")
    return NetworkInfo(
        base_model=_base_model(metadata),
        resolution=_resolution(metadata),
        trigger_words=_trigger_words(metadata),
    )


def read_metadata(network: NetworkFile) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors header (empty when there is none)."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(network.path), framework="pt") as reader:
            return dict(reader.metadata() or {})
    except SafetensorError as error:
        raise ValueError(f"not a valid .safetensors file ({error})") from None


def _base_model(metadata: dict[str, str]) -> str:
    for key in ("modelspec.architecture", "ss_base_model_version", "ss_sd_model_name"):
        if metadata.get(key):
            return metadata[key]
    if metadata.get("ss_v2") == "True":
        return "sd_v2"
    return ""


def _resolution(metadata: dict[str, str]) -> str:
    if metadata.get("modelspec.resolution"):
        return metadata["modelspec.resolution"]
    value = metadata.get("ss_resolution", "")
    return value.strip("()").replace(", ", "x").replace(",", "x")


def _trigger_words(metadata: dict[str, str]) -> tuple[str, ...]:
    try:
        frequencies: Any = json.loads(metadata.get("ss_tag_frequency", "{}"))
    except (ValueError, RecursionError):  # not JSON, or nested too deep
        return ()
    counts: Counter[str] = Counter()
    if isinstance(frequencies, dict):
        for tags in frequencies.values():
            if isinstance(tags, dict):
                for tag, count in tags.items():
                    if isinstance(count, (int, float)):
                        counts[str(tag).strip()] += int(count)
    return tuple(tag for tag, _ in counts.most_common(TRIGGER_WORDS) if tag)
