"""Model hash: SHA-256 prefix of the weights, cached by path/size/mtime, never blocking."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from sdstudio.engine.metadata import model_hash
from sdstudio.engine.metadata.model_hash import ModelHasher, model_hash_if_ready
from sdstudio.engine.paths import cache_dir


def sha10(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def test_single_file_hash_is_the_first_ten_hex_digits_of_its_sha256(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights" * 1000)
    assert model_hash_if_ready(weights, wait=10) == sha10(b"weights" * 1000)


def test_diffusers_folder_is_named_by_its_unet_weights(tmp_path: Path) -> None:
    (tmp_path / "unet").mkdir()
    (tmp_path / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"unet")
    (tmp_path / "vae").mkdir()
    (tmp_path / "vae" / "diffusion_pytorch_model.safetensors").write_bytes(b"vae")
    assert model_hash_if_ready(tmp_path, wait=10) == sha10(b"unet")


def test_folder_without_weights_has_no_hash(tmp_path: Path) -> None:
    assert model_hash_if_ready(tmp_path, wait=10) is None


def test_hash_is_cached_on_disk_by_size_and_mtime(tmp_path: Path) -> None:
    weights = tmp_path / "model.ckpt"
    weights.write_bytes(b"first")
    assert ModelHasher().hash_if_ready(weights, wait=10) == sha10(b"first")
    stat = weights.stat()
    weights.write_bytes(b"other")  # same size; the mtime is put back below
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert ModelHasher().hash_if_ready(weights, wait=10) == sha10(b"first")
    assert (cache_dir() / "model-hashes.json").is_file()


def test_changed_file_is_hashed_again(tmp_path: Path) -> None:
    weights = tmp_path / "model.ckpt"
    weights.write_bytes(b"first")
    ModelHasher().hash_if_ready(weights, wait=10)
    weights.write_bytes(b"second version")
    assert ModelHasher().hash_if_ready(weights, wait=10) == sha10(b"second version")


def test_damaged_cache_is_ignored(tmp_path: Path) -> None:
    (cache_dir() / "model-hashes.json").write_text("{broken")
    weights = tmp_path / "model.ckpt"
    weights.write_bytes(b"abc")
    assert ModelHasher().hash_if_ready(weights, wait=10) == sha10(b"abc")


def test_slow_hash_does_not_block_and_arrives_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_sha256 = model_hash.file_sha256

    def slow_sha256(path: Path) -> str:
        release.wait(10)
        return real_sha256(path)

    monkeypatch.setattr(model_hash, "file_sha256", slow_sha256)
    weights = tmp_path / "big.safetensors"
    weights.write_bytes(b"big")
    hasher = ModelHasher()
    assert hasher.hash_if_ready(weights) is None
    release.set()
    assert hasher.start(weights).result(timeout=10) == sha10(b"big")
