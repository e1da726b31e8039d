"""The LoRA and embedding files a user has: where they are looked for, and finding one by
the name a prompt uses.

A name is a file's stem, matched without regard to case as A1111 does (``<lora:Detail:1>``
finds ``detail.safetensors``); a path to a file is taken as it is. LoRAs must be
``.safetensors``: a pickled ``.pt`` LoRA could run code. Embeddings may also be A1111's
``.pt``/``.bin`` files, which are read with ``weights_only`` (no code runs).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sdstudio.engine.paths import embeddings_dir, loras_dir


class NetworkKind(enum.Enum):
    LORA = "lora"
    EMBEDDING = "embedding"

    @property
    def suffixes(self) -> tuple[str, ...]:
        if self is NetworkKind.LORA:
            return (".safetensors",)
        return (".safetensors", ".pt", ".bin")

    @property
    def noun(self) -> str:
        return "LoRA" if self is NetworkKind.LORA else "embedding"


@dataclass(frozen=True)
class NetworkFile:
    """One LoRA or embedding file; ``name`` is what a prompt calls it."""

    kind: NetworkKind
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def preview_image(self) -> Path | None:
        """A same-named ``.png`` or ``.preview.png`` beside the file (A1111's convention)."""
        for suffix in (".preview.png", ".png"):
            candidate = self.path.with_name(self.path.stem + suffix)
            if candidate.is_file():
                return candidate
        return None


def default_folders(kind: NetworkKind) -> list[Path]:
    return [loras_dir() if kind is NetworkKind.LORA else embeddings_dir()]


def network_folders(kind: NetworkKind, extra: Iterable[Path | str] = ()) -> list[Path]:
    """The folders searched for ``kind``: extra ones first (``--lora-dir``), then the one in
    ``SDSTUDIO_HOME/models``."""
    return [Path(folder).expanduser() for folder in extra] + default_folders(kind)


def list_networks(kind: NetworkKind, folders: Sequence[Path]) -> list[NetworkFile]:
    """Every file of ``kind`` in ``folders`` and their subfolders, sorted by name; a name
    found twice is the first folder's."""
    found: dict[str, NetworkFile] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in kind.suffixes and path.is_file():
                found.setdefault(path.stem.lower(), NetworkFile(kind, path))
    return sorted(found.values(), key=lambda each: each.name.lower())


def find_network(
    kind: NetworkKind, name_or_path: str, folders: Sequence[Path]
) -> NetworkFile | None:
    """The file a prompt or ``--lora`` means: a path to a file, else a stem in ``folders``."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix.lower() in kind.suffixes and candidate.is_file():
        return NetworkFile(kind, candidate)
    wanted = name_or_path.lower()
    for each in list_networks(kind, folders):
        if each.name.lower() == wanted:
            return each
    return None
