"""How long saving, parsing and hashing take, to check none of them can stall generation.

Run: ``.venv/bin/python benchmarks/bench_metadata.py`` (uses a temporary SDSTUDIO_HOME).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def timed(label: str, action, repeat: int = 5) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {sorted(times)[len(times) // 2] * 1000:.1f} ms")


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="sdstudio-bench-"))
    os.environ["SDSTUDIO_HOME"] = str(home)
    from sdstudio.engine.metadata import GenerationRecord, list_saved_images, save_generation
    from sdstudio.engine.metadata.infotext import parse_infotext
    from sdstudio.engine.metadata.model_hash import ModelHasher

    record = GenerationRecord(prompt="a fox, " * 30, negative_prompt="blur", seed=1)
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (512, 512, 3), np.uint8))
    out = home / "out"
    timed(
        "save 512x512 noise PNG (worst case for zlib), with fsync",
        lambda: save_generation(image, record, out),
    )
    flat = Image.new("RGB", (512, 512), "gray")
    timed("save 512x512 flat PNG, with fsync", lambda: save_generation(flat, record, out))
    for _ in range(1000):
        (out / f"{_ + 100:05d}-1.png").write_bytes(b"x")
    timed("save into a folder of 1000 files", lambda: save_generation(flat, record, out))
    timed("list 1000 saved images newest first", lambda: list_saved_images(out))
    adversarial = ['a: "x, ' * 150_000, "a" + " " * 1_000_000 + "x", "," * 1_000_000]
    for text in adversarial:
        timed(f"parse {len(text)} chars of adversarial text", lambda t=text: parse_infotext(t), 3)
    weights = home / "weights.safetensors"
    with weights.open("wb") as stream:
        for _ in range(256):
            stream.write(os.urandom(1 << 20))
    start = time.perf_counter()
    ModelHasher().start(weights).result()
    elapsed = time.perf_counter() - start
    print(f"hash 256 MiB: {elapsed * 1000:.0f} ms ({256 / elapsed:.0f} MiB/s)")
    start = time.perf_counter()
    ModelHasher().start(weights).result()
    print(f"hash 256 MiB again (cache hit): {(time.perf_counter() - start) * 1000:.1f} ms")
    shutil.rmtree(home)


if __name__ == "__main__":
    main()
