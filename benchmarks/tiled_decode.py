"""What VAE tiling costs and saves: one decode, tiled against untiled, per size.

Each decode runs in its own child process, so that its peak memory is its own: the child
loads the VAE and the latents, decodes one tile as a warm-up, resets its peak RSS (Linux's
``/proc/self/clear_refs``), decodes once and reports the time and its peak RSS above the
resident memory before the decode (``VmHWM`` less ``VmRSS``; where the peak cannot be reset,
``resource.getrusage``'s lifetime peak, which also counts loading). The latents
are a picture's, not noise: a synthetic scene of gradients and shapes at the size, encoded
once (tiled, in another child). The parent compares the tiled picture with the untiled one.

VAEs: the demo's (``resources/demo-model/vae``, 16 first-level channels, 128 px tiles) and,
with ``--vae sd15``, an SD 1.5-shaped VAE with random weights (128 channels, 512 px tiles;
its cost is its architecture's, whatever its weights). Float32 on the CPU.

    python benchmarks/tiled_decode.py [--vae demo|sd15] [--sizes 512 1024 2048]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAES = {
    "demo": ROOT / "resources" / "demo-model" / "vae",
    "sd15": ROOT / "resources" / "model_configs" / "sd15" / "vae",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vae", choices=sorted(VAES), default="demo")
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 1536, 2048])
    parser.add_argument("--child", nargs=4, metavar=("ROLE", "SIZE", "MODE", "DIR"))
    args = parser.parse_args()
    if args.child:
        role, size, mode, folder = args.child
        _child(args.vae, role, int(size), mode, Path(folder))
        return
    import numpy as np

    print(f"VAE {args.vae}, float32 on the CPU")
    print("size | untiled s | untiled MiB | tiled s | tiled MiB | max diff /255 | mean diff")
    with tempfile.TemporaryDirectory(prefix="sdstudio-tiles-") as folder:
        for size in args.sizes:
            _run_child(args.vae, "encode", size, "tiled", folder)
            results = {
                mode: _run_child(args.vae, "decode", size, mode, folder)
                for mode in ("untiled", "tiled")
            }
            untiled = np.load(Path(folder) / f"{size}-untiled.npy").astype(np.int16)
            tiled = np.load(Path(folder) / f"{size}-tiled.npy").astype(np.int16)
            difference = np.abs(untiled - tiled)
            plain, cut = results["untiled"], results["tiled"]
            print(
                f"{size}² | {plain['seconds']:.2f} | {plain['peak_mib']:.0f} | "
                f"{cut['seconds']:.2f} | {cut['peak_mib']:.0f} | {difference.max()} | "
                f"{difference.mean():.2f}",
                flush=True,
            )


def _run_child(vae: str, role: str, size: int, mode: str, folder: str) -> dict:
    command = [sys.executable, __file__, "--vae", vae, "--child", role, str(size), mode, folder]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _child(vae_name: str, role: str, size: int, mode: str, folder: Path) -> None:
    import numpy as np
    import torch
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    if vae_name == "demo":
        vae = AutoencoderKL.from_pretrained(VAES[vae_name])
    else:
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(VAES[vae_name]))
    vae.eval()
    if mode == "tiled":
        vae.enable_tiling()
    latents_file = folder / f"{size}.pt"
    with torch.inference_mode():
        if role == "encode":
            pixels = torch.from_numpy(_scene(size)).permute(2, 0, 1)[None] / 127.5 - 1
            latents = vae.encode(pixels).latent_dist.mode()
            torch.save(latents, latents_file)
            print(json.dumps({}))
            return
        latents = torch.load(latents_file)
        tile = vae.tile_latent_min_size
        vae.decode(latents[:, :, :tile, :tile])  # warm-up: first-call allocations
        before = _status_mib("VmRSS")
        reset = _reset_peak()
        start = time.perf_counter()
        pixels = vae.decode(latents).sample
        seconds = time.perf_counter() - start
        if reset:
            peak = _status_mib("VmHWM")
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    picture = ((pixels[0].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    np.save(folder / f"{size}-{mode}.npy", picture.numpy())
    print(json.dumps({"seconds": seconds, "peak_mib": peak - before}))


def _status_mib(key: str) -> float:
    """A memory figure of this process from ``/proc/self/status``, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status (Linux only)")


def _reset_peak() -> bool:
    """Set the peak RSS (``VmHWM``) to the current RSS, so the next peak is the decode's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _scene(size: int):
    """Gradients and shapes at ``size``², as uint8 RGB: a picture with edges and flat parts."""
    import numpy as np
    from PIL import Image, ImageDraw

    ramp = np.linspace(0, 255, size, dtype=np.float32)
    red, green = np.meshgrid(ramp, ramp[::-1])
    blue = np.full_like(red, 96)
    image = Image.fromarray(np.stack([red, green, blue], axis=-1).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    step = size // 8
    for index in range(8):
        x, y = index * step, (index * 3 % 8) * step
        colour = ((index * 70) % 256, (index * 130) % 256, (index * 40) % 256)
        if index % 2:
            draw.ellipse((x, y, x + step * 2, y + step * 2), fill=colour)
        else:
            draw.rectangle((x, y, x + step, y + step * 3), fill=colour)
    return np.asarray(image)


if __name__ == "__main__":
    main()
