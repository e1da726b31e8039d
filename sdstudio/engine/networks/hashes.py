"""The short hashes A1111 writes as ``Lora hashes`` and ``TI hashes``, so a picture made
there finds the same files here even under other names.

A LoRA's is the "addnet" hash: SHA-256 of a ``.safetensors`` file's tensor data, skipping its
JSON header (so editing the metadata keeps the hash). An embedding's is the SHA-256 of the
whole file. Both are cut to 12 hex digits. Hashes are kept for the session per file size and
modification time, since a library is hashed again every time a picture is restored.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from pathlib import Path

SHORT_HASH_LENGTH = 12
_CHUNK = 1 << 20
_cache: dict[tuple[str, int, int, bool], str] = {}
_lock = threading.Lock()


def short_hash(path: Path, skip_header: bool) -> str:
    """12 hex digits of SHA-256 of ``path`` (of its tensor data when ``skip_header``)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, skip_header)
    with _lock:
        if key in _cache:
            return _cache[key]
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
    value = digest.hexdigest()[:SHORT_HASH_LENGTH]
    with _lock:
        _cache[key] = value
    return value


def lora_hash(path: Path) -> str:
    return short_hash(path, skip_header=True)


def embedding_hash(path: Path) -> str:
    return short_hash(path, skip_header=False)


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
