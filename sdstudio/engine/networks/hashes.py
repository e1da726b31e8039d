"""The short hashes A1111 writes as ``Lora hashes`` and ``TI hashes``, so a picture made
there finds the same files here even under other names.

A LoRA's is the "addnet" hash: SHA-256 of a ``.safetensors`` file's tensor data, skipping its
JSON header (so editing the metadata keeps the hash). An embedding's is the SHA-256 of the
whole file. Both are cut to 12 hex digits.

Hashing a library of LoRAs takes seconds (3 GB: about 4 s), and a library is hashed again
every time a picture's LoRA is looked up by hash, so hashes are kept per file size and
modification time: for the session in memory, and between sessions in
``cache_dir()/network-hashes.json`` (as model hashes are in ``model-hashes.json``), which
forgets deleted files whenever it is written. The file is only a shortcut: a missing,
damaged or unwritable one costs time, never a failure. Two threads that want the same file's
hash hash it once.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import threading
from pathlib import Path

from sdstudio.engine.models.json_files import (
    JsonFileError,
    read_json_object,
    write_json_object,
)
from sdstudio.engine.paths import cache_dir

SHORT_HASH_LENGTH = 12
CACHE_NAME = "network-hashes.json"
_CHUNK = 1 << 20
_HEX = re.compile(f"[0-9a-f]{{{SHORT_HASH_LENGTH}}}")
_Key = tuple[str, int, int, bool]
_cache: dict[_Key, str] = {}
_lock = threading.Lock()
_file_locks: dict[_Key, threading.Lock] = {}  # one hashing per file at a time
_disk_lock = threading.Lock()
_disk_copy: tuple[tuple[str, int, int], dict[str, object]] | None = None  # (stamp, contents)


def _key(path: Path, skip_header: bool) -> _Key:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, skip_header)


def cached_short_hash(path: Path, skip_header: bool) -> str | None:
    """The hash if it is known (this session, or in the cache file) without reading ``path``;
    None when it would have to be computed. Raises OSError when ``path`` cannot be stat'ed."""
    return _known(_key(path, skip_header))


def _known(key: _Key) -> str | None:
    with _lock:
        if key in _cache:
            return _cache[key]
    value = _from_disk(key)
    if value is not None:
        with _lock:
            _cache[key] = value
    return value


def short_hash(path: Path, skip_header: bool) -> str:
    """12 hex digits of SHA-256 of ``path`` (of its tensor data when ``skip_header``)."""
    key = _key(path, skip_header)
    value = _known(key)
    if value is not None:
        return value
    with _lock:
        file_lock = _file_locks.setdefault(key, threading.Lock())
    with file_lock:  # another thread may be hashing this very file: wait for its result
        with _lock:
            if key in _cache:
                return _cache[key]
        value = _compute(path, skip_header)
        with _lock:
            _cache[key] = value
            _file_locks.pop(key, None)
    _to_disk(key, value)
    return value


def _compute(path: Path, skip_header: bool) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        if skip_header and path.suffix.lower() == ".safetensors":
            length_field = stream.read(8)
            if len(length_field) == 8:  # else a cut-off file: its bytes, as they are
                (header_length,) = struct.unpack("<Q", length_field)
                stream.seek(8 + header_length)
            else:
                stream.seek(0)
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:SHORT_HASH_LENGTH]


def lora_hash(path: Path) -> str:
    return short_hash(path, skip_header=True)


def embedding_hash(path: Path) -> str:
    return short_hash(path, skip_header=False)


def cached_lora_hash(path: Path) -> str | None:
    """A LoRA's hash if known without reading the file, else None (see :func:`lora_hash`)."""
    return cached_short_hash(path, skip_header=True)


def _cache_file() -> Path:
    return cache_dir() / CACHE_NAME


def _entry_name(key: _Key) -> tuple[str, str]:
    return key[0], "tensors" if key[3] else "file"


def _read_disk() -> dict[str, object]:
    """The cache file's contents ({} when missing or damaged); parsed again only when the
    file changed since it was last read."""
    global _disk_copy
    try:
        target = _cache_file()
        stat = target.stat()
    except OSError:
        return {}
    stamp = (str(target), stat.st_size, stat.st_mtime_ns)
    if _disk_copy is not None and _disk_copy[0] == stamp:
        return _disk_copy[1]
    try:
        data = read_json_object(target)
    except (OSError, JsonFileError):
        data = {}
    _disk_copy = (stamp, data)
    return data


def _from_disk(key: _Key) -> str | None:
    path, kind = _entry_name(key)
    with _disk_lock:
        entry = _read_disk().get(path)
    if not isinstance(entry, dict):
        return None
    if entry.get("size") != key[1] or entry.get("mtime_ns") != key[2]:
        return None
    value = entry.get(kind)
    return value if isinstance(value, str) and _HEX.fullmatch(value) else None


def _to_disk(key: _Key, value: str) -> None:
    """Merge one hash into the cache file, replacing it atomically; failures are ignored.
    Entries of files that are gone are dropped then, so the file never outgrows the
    library."""
    global _disk_copy
    path, kind = _entry_name(key)
    with _disk_lock:
        data = {name: entry for name, entry in _read_disk().items() if os.path.exists(name)}
        entry = data.get(path)
        if not (
            isinstance(entry, dict)
            and entry.get("size") == key[1]
            and entry.get("mtime_ns") == key[2]
        ):
            entry = {"size": key[1], "mtime_ns": key[2]}
        data[path] = {**entry, kind: value}
        try:
            target = _cache_file()
            write_json_object(target, data, ".network-hashes-")
            stat = target.stat()  # what was written need not be parsed again:
            _disk_copy = ((str(target), stat.st_size, stat.st_mtime_ns), data)
        except (OSError, TypeError, ValueError):
            pass  # the file is only a shortcut


def format_hashes(hashes: dict[str, str]) -> str:
    """``name: hash, name: hash``, as A1111's infotext writes them."""
    return ", ".join(f"{name}: {value}" for name, value in hashes.items())


def parse_hashes(text: str) -> dict[str, str]:
    """The inverse of :func:`format_hashes`; parts without a colon are skipped."""
    hashes: dict[str, str] = {}
    for part in text.split(","):
        name, colon, value = part.rpartition(":")
        if colon and name.strip() and value.strip():
            hashes[name.strip()] = value.strip().lower()
    return hashes
