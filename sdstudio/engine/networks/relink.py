"""Restoring a picture's LoRAs and embeddings: its ``<lora:NAME:…>`` tags are found by name,
else by the hash its infotext recorded (the same file under another name here), else listed
as missing; so are the embeddings its ``TI hashes`` name that are not here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from sdstudio.engine.networks.hashes import cached_lora_hash, lora_hash
from sdstudio.engine.networks.library import (
    NetworkFile,
    NetworkKind,
    find_network,
    list_networks,
    network_folders,
)
from sdstudio.engine.prompts.network_tags import LORA_KINDS, NETWORK_TAG

BeforeHashing = Callable[[NetworkFile, int, int], object]
"""Called as ``(file, number, count)`` before a LoRA whose hash is not known yet is read
(number counts from 1 among the ``count`` such files); it may raise to stop the restore."""


class HashingNeeded(Exception):
    """A LoRA must be found by its hash, and some file's hash is not known yet (raised only
    when hashing was not allowed)."""


class _LibraryByHash:
    """The LoRA library's hashes: known ones at once, the others computed one file at a time
    and only until the wanted hash turns up."""

    def __init__(
        self, files: list[NetworkFile], hash_files: bool, before_hashing: BeforeHashing | None
    ) -> None:
        self._known: dict[str, str] = {}
        unhashed: list[NetworkFile] = []
        for each in files:
            try:
                value = cached_lora_hash(each.path)
            except OSError:
                continue  # gone since it was listed
            if value is None:
                unhashed.append(each)
            else:
                self._known.setdefault(value, each.name)
        self._count = len(unhashed)
        self._pending: Iterator[tuple[int, NetworkFile]] = enumerate(unhashed, start=1)
        self._hash_files = hash_files
        self._before_hashing = before_hashing

    def name_for(self, wanted: str) -> str | None:
        if wanted in self._known:
            return self._known[wanted]
        for number, each in self._pending:
            if not self._hash_files:
                raise HashingNeeded(f"{each.path} has not been hashed yet")
            if self._before_hashing is not None:
                self._before_hashing(each, number, self._count)
            try:
                value = lora_hash(each.path)
            except OSError:
                continue  # unreadable: it cannot be the file the picture used
            self._known.setdefault(value, each.name)
            if value == wanted:
                return each.name
        return None


def relink_loras(
    prompt: str,
    recorded_hashes: Mapping[str, str],
    extra_folders: Sequence[Path] = (),
    *,
    hash_files: bool = True,
    before_hashing: BeforeHashing | None = None,
) -> tuple[str, list[str]]:
    """(the prompt with tags renamed to the local files that have their hash, what is
    missing in words). A file found by name is kept as it is.

    The library is listed once however many tags the prompt has. A file's hash is read from
    the cache when known; the others are hashed (slow: call off the GUI thread) only while a
    tag still looks for its hash, or, without ``hash_files``, :class:`HashingNeeded` is raised
    instead. ``before_hashing`` hears of each file about to be hashed."""
    folders = network_folders(NetworkKind.LORA, extra_folders)
    missing: list[str] = []
    library: list[NetworkFile] | None = None
    by_name: dict[str, NetworkFile] = {}
    by_hash: _LibraryByHash | None = None
    found_names: dict[str, bool] = {}

    def is_here(name: str) -> bool:
        nonlocal library
        if name not in found_names:
            if library is None:
                library = list_networks(NetworkKind.LORA, folders)
                by_name.update((each.name.lower(), each) for each in library)
            found_names[name] = name.lower() in by_name or (
                find_network(NetworkKind.LORA, name, []) is not None  # a path to a file
            )
        return found_names[name]

    def relinked(match) -> str:
        nonlocal by_hash
        kind, params = match.group(1), match.group(2)
        name, _, weights = params.partition(":")
        if kind.lower() not in LORA_KINDS or is_here(name):
            return match.group(0)
        wanted = recorded_hashes.get(name, "").lower()
        if wanted:
            if by_hash is None:
                by_hash = _LibraryByHash(library or [], hash_files, before_hashing)
            local = by_hash.name_for(wanted)
            if local is not None:
                return f"<{kind}:{local}{':' if weights else ''}{weights}>"
        hint = f" (hash {wanted})" if wanted else ""
        missing.append(f"LoRA {name!r}{hint} is not in {folders[-1]}")
        return match.group(0)

    return NETWORK_TAG.sub(relinked, prompt), missing


def missing_embeddings(
    recorded_hashes: Mapping[str, str], extra_folders: Sequence[Path] = ()
) -> list[str]:
    """The embeddings a picture used (its ``TI hashes``) that no folder here has."""
    if not recorded_hashes:
        return []
    folders = network_folders(NetworkKind.EMBEDDING, extra_folders)
    here = {each.name.lower() for each in list_networks(NetworkKind.EMBEDDING, folders)}
    return [
        f"embedding {name!r} (hash {value}) is not in {folders[-1]}"
        for name, value in recorded_hashes.items()
        if name.lower() not in here and find_network(NetworkKind.EMBEDDING, name, []) is None
    ]
