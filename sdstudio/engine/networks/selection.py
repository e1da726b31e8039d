"""What a request's prompts ask for, resolved to files: the LoRAs of its ``<lora:…>`` tags
and the embeddings its words name; what is missing; and the hashes A1111's infotext records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sdstudio.engine.networks.embeddings import named_in
from sdstudio.engine.networks.hashes import embedding_hash, format_hashes, lora_hash
from sdstudio.engine.networks.library import (
    NetworkFile,
    NetworkKind,
    find_network,
    list_networks,
    network_folders,
)
from sdstudio.engine.networks.lora_adapters import LoraChoice
from sdstudio.engine.prompts.network_tags import network_tags


@dataclass(frozen=True)
class NetworkFolders:
    """Extra folders to search before those in ``SDSTUDIO_HOME/models`` (``--lora-dir``)."""

    loras: tuple[Path, ...] = ()
    embeddings: tuple[Path, ...] = ()


@dataclass
class NetworkSelection:
    loras: list[LoraChoice] = field(default_factory=list)
    embeddings: list[NetworkFile] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # LoRA names no folder has
    unsupported: list[str] = field(default_factory=list)  # <hypernet:…> and the like

    def notices(self) -> list[str]:
        notes = []
        if self.missing:
            names = ", ".join(self.missing)
            notes.append(f"LoRA not found (generating without it): {names}")
        if self.unsupported:
            notes.append(f"Ignored tags sdstudio does not run: {', '.join(self.unsupported)}")
        return notes

    def lora_hashes(self) -> str:
        """A1111's ``Lora hashes`` value; empty when no LoRA ran."""
        return format_hashes({c.file.name: lora_hash(c.file.path) for c in self.loras})

    def embedding_hashes(self) -> str:
        """A1111's ``TI hashes`` value; empty when no embedding ran."""
        return format_hashes({e.name: embedding_hash(e.path) for e in self.embeddings})


def select_networks(
    prompt: str, negative_prompt: str, folders: NetworkFolders = NetworkFolders()
) -> NetworkSelection:
    """The LoRAs the prompt's tags name (the negative's are ignored, as in A1111) and the
    embeddings either prompt names."""
    selection = NetworkSelection()
    tags = network_tags(prompt)
    lora_folders = network_folders(NetworkKind.LORA, folders.loras)
    for tag in tags.loras:
        found = find_network(NetworkKind.LORA, tag.name, lora_folders)
        if found is None:
            selection.missing.append(tag.name)
        else:
            choice = LoraChoice(found, tag.text_encoder_weight, tag.unet_weight)
            selection.loras.append(choice)
    selection.unsupported = list(tags.unsupported)
    embedding_folders = network_folders(NetworkKind.EMBEDDING, folders.embeddings)
    available = list_networks(NetworkKind.EMBEDDING, embedding_folders)
    selection.embeddings = named_in([prompt, negative_prompt], available)
    return selection
