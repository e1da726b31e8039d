"""Restoring a picture's LoRAs and embeddings: its ``<lora:NAME:…>`` tags are found by name,
else by the hash its infotext recorded (the same file under another name here), else listed
as missing; so are the embeddings its ``TI hashes`` name that are not here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sdstudio.engine.networks.hashes import lora_hash
from sdstudio.engine.networks.library import (
    NetworkKind,
    find_network,
    list_networks,
    network_folders,
)
from sdstudio.engine.prompts.network_tags import LORA_KINDS, NETWORK_TAG


def relink_loras(
    prompt: str, recorded_hashes: Mapping[str, str], extra_folders: Sequence[Path] = ()
) -> tuple[str, list[str]]:
    """(the prompt with tags renamed to the local files that have their hash, what is
    missing in words). A file found by name is kept as it is."""
    folders = network_folders(NetworkKind.LORA, extra_folders)
    missing: list[str] = []
    by_hash: dict[str, str] | None = None

    def relinked(match) -> str:
        nonlocal by_hash
        kind, params = match.group(1), match.group(2)
        name, _, weights = params.partition(":")
        if kind.lower() not in LORA_KINDS or find_network(NetworkKind.LORA, name, folders):
            return match.group(0)
        wanted = recorded_hashes.get(name, "").lower()
        if wanted:
            if by_hash is None:
                by_hash = {
                    lora_hash(f.path): f.name for f in list_networks(NetworkKind.LORA, folders)
                }
            if wanted in by_hash:
                return f"<{kind}:{by_hash[wanted]}{':' if weights else ''}{weights}>"
        hint = f" (hash {wanted})" if wanted else ""
        missing.append(f"LoRA {name!r}{hint} is not in {folders[-1]}")
        return match.group(0)

    return NETWORK_TAG.sub(relinked, prompt), missing


def missing_embeddings(
    recorded_hashes: Mapping[str, str], extra_folders: Sequence[Path] = ()
) -> list[str]:
    """The embeddings a picture used (its ``TI hashes``) that no folder here has."""
    folders = network_folders(NetworkKind.EMBEDDING, extra_folders)
    return [
        f"embedding {name!r} (hash {value}) is not in {folders[-1]}"
        for name, value in recorded_hashes.items()
        if find_network(NetworkKind.EMBEDDING, name, folders) is None
    ]
