"""A tiny random ESRGAN (RRDBNet: 8 filters, 1 block, 4x), built in code with spandrel's own
architecture class and saved as ``.safetensors`` for the upscaler tests.

Random weights make outputs in a narrow band around an arbitrary level, mostly clipped to 0
or 1 after scaling; the last convolution is rescaled here so that on a random picture the
output centres on 0.5 with a spread of about 0.15 per channel. Then tiling errors show in
every channel instead of hiding in clipped pixels. Its receptive field reaches about 16 input
pixels each way, so a 32-pixel tile never holds a pixel's whole context: tiling is tested
where it has to blend, not where it is trivially exact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

RANDOM_SEED = 20260721
FILTERS = 8
BLOCKS = 1
SCALE = 4
TARGET_MEAN, TARGET_SPREAD = 0.5, 0.15


def build_random_esrgan():  # -> spandrel's RRDBNet, in eval mode
    """The same weights every time, without touching the global random state."""
    import torch

    from sdstudio.engine.upscalers.spandrel_import import import_spandrel

    import_spandrel()  # spandrel's architectures import even without torchvision
    from spandrel.architectures.ESRGAN import ESRGAN

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RANDOM_SEED)
        network = ESRGAN(num_filters=FILTERS, num_blocks=BLOCKS, scale=SCALE).eval()
        calibration = torch.rand(1, 3, 64, 64)
    last_weight, last_bias = (
        network.state_dict()[f"model.10.{kind}"] for kind in ("weight", "bias")
    )
    with torch.no_grad():
        last_bias.zero_()
        raw = network(calibration)
        gain = TARGET_SPREAD / raw.std(dim=(0, 2, 3))
        last_weight.mul_(gain[:, None, None, None])
        last_bias.copy_(TARGET_MEAN - gain * raw.mean(dim=(0, 2, 3)))
    return network


def save_random_esrgan(folder: Path, name: str = "tiny-esrgan") -> Path:
    """The random ESRGAN's state dict as ``folder/name.safetensors``."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.safetensors"
    state = {key: value.contiguous() for key, value in build_random_esrgan().state_dict().items()}
    save_file(state, path)
    return path


def random_picture(width: int, height: int, seed: int = 5) -> Image.Image:
    """Seeded RGB noise: every pixel differs from its neighbours, the hardest case for tiles."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def spandrel_untiled(path: Path, picture: Image.Image) -> np.ndarray:
    """What spandrel alone makes of ``picture`` with the model file at ``path`` (its own
    loader, the whole picture in one call), as bytes [height, width, 3]."""
    import torch

    from sdstudio.engine.upscalers.spandrel_import import import_spandrel

    model = import_spandrel().ModelLoader("cpu").load_from_file(path).eval()
    pixels = torch.from_numpy(np.asarray(picture, dtype=np.float32) / 255).permute(2, 0, 1)
    output = model(pixels[None])[0]
    return output.mul(255).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
