"""A1111-style "Model hash": the first 10 hex digits of the weights file's SHA-256.

Which file: a single-file checkpoint (``.safetensors``/``.ckpt``) is hashed whole, exactly as
A1111 does. A diffusers folder has no single file, so the UNet's weights are hashed: the UNet is
the part a fine-tune changes (VAE and text encoder are often shared between models), and it
names the model without reading the other ~600 MB. When the UNet is split into shards, the hash
is the SHA-256 of the shards' own SHA-256 digests in name order.

Hashing gigabytes takes seconds, so it runs on a background daemon thread and never blocks
generation: a record made before the hash is known simply has no model hash (the infotext leaves
out ``Model hash``), and later images get it. Results are cached by (path, size, mtime) in
``cache_dir()/model-hashes.json``, so a model is hashed once, not once per start. The cache is
only a shortcut: a damaged one (not JSON, nested too deeply, not an object, odd entries) is
ignored and written anew, and no failure of hashing or of its cache reaches the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from sdstudio.engine.models.json_files import (
    JsonFileError,
    read_json_object,
    write_json_object,
)
from sdstudio.engine.paths import cache_dir

HASH_LENGTH = 10
CACHE_NAME = "model-hashes.json"
_UNET_WEIGHTS = (
    "diffusion_pytorch_model.safetensors",
    "diffusion_pytorch_model.fp16.safetensors",
    "diffusion_pytorch_model.bin",
    "diffusion_pytorch_model.fp16.bin",
)
_CHUNK = 4 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


def weights_files(model_source: str | os.PathLike[str]) -> list[Path]:
    """The file(s) whose content names the model; empty when there is nothing to hash."""
    source = Path(model_source)
    if source.is_file():
        return [source]
    unet = source / "unet"
    for name in _UNET_WEIGHTS:
        if (unet / name).is_file():
            return [unet / name]
    return sorted(unet.glob("diffusion_pytorch_model-*-of-*.safetensors"))


def file_sha256(path: Path) -> str:
    """Full hex SHA-256 of a file, read in chunks (hashlib releases the GIL while hashing)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> dict[str, int]:
    """What must be unchanged for a cached hash to still be the file's hash."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class ModelHasher:
    """Computes model hashes in the background and remembers them on disk."""

    def __init__(self, cache_file: Path | None = None) -> None:
        self._cache_file = cache_file
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, ...], Future[str | None]] = {}  # by files and their stamps

    @property
    def cache_file(self) -> Path:
        return self._cache_file or cache_dir() / CACHE_NAME

    def start(self, model_source: str | os.PathLike[str]) -> Future[str | None]:
        """Begin hashing (once per set of files); the future gives the hash or None."""
        files = tuple(str(path.resolve()) for path in weights_files(model_source))
        key = (*files, *(str(_stamp(Path(name))) for name in files))  # a replaced file: new job
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not (job.done() and job.exception() is not None):
                return job
            job = Future()
            self._jobs[key] = job
        threading.Thread(
            target=self._run, args=(files, job), name="model-hash", daemon=True
        ).start()
        return job

    def hash_if_ready(self, model_source: str | os.PathLike[str], wait: float = 0.0) -> str | None:
        """The hash if known within ``wait`` seconds, else None (hashing goes on meanwhile)."""
        job = self.start(model_source)
        try:
            return job.result(timeout=wait)
        except FutureTimeout:
            return None
        except Exception:  # noqa: BLE001 - unreadable weights, a failed hash: no hash, no failure
            return None

    def compute(self, files: tuple[str, ...]) -> str | None:
        """The hash of ``files`` now, from the cache when size and mtime are unchanged."""
        if not files:
            return None
        digests = [self._file_digest(Path(name)) for name in files]
        if len(digests) == 1:
            return digests[0][:HASH_LENGTH]
        combined = hashlib.sha256("".join(digests).encode("ascii")).hexdigest()
        return combined[:HASH_LENGTH]

    def _run(self, files: tuple[str, ...], job: Future[str | None]) -> None:
        try:
            job.set_result(self.compute(files))
        except Exception as error:  # noqa: BLE001 - handed to whoever waits on the future
            job.set_exception(error)

    def _file_digest(self, path: Path) -> str:
        stamp = _stamp(path)
        entry = self._read_cache().get(str(path))
        if stamp and isinstance(entry, dict) and all(entry.get(k) == v for k, v in stamp.items()):
            cached = entry.get("sha256")
            if isinstance(cached, str) and _SHA256.fullmatch(cached):
                return cached
        digest = file_sha256(path)
        self._remember(str(path), {**stamp, "sha256": digest})
        return digest

    def _read_cache(self) -> dict[str, object]:
        try:
            return read_json_object(self.cache_file)
        except (OSError, JsonFileError):
            return {}  # missing or damaged: hashes are simply computed again

    def _remember(self, key: str, entry: dict[str, object]) -> None:
        """Merge one entry into the cache file, replacing it atomically."""
        with self._lock:
            data = self._read_cache()  # a damaged cache is replaced by this one entry
            data[key] = entry
            # a cache that cannot be written costs time only
            with contextlib.suppress(OSError, TypeError, ValueError):
                write_json_object(self.cache_file, data, ".hashes-")


_default_hasher = ModelHasher()


def start_model_hash(model_source: str | os.PathLike[str]) -> None:
    """Call when a model is loaded, so its hash is likely ready by the first saved image."""
    _default_hasher.start(model_source)


def model_hash_if_ready(model_source: str | os.PathLike[str], wait: float = 0.0) -> str | None:
    """The model's hash if already known (waiting at most ``wait`` seconds), else None."""
    return _default_hasher.hash_if_ready(model_source, wait)
