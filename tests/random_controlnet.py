"""A tiny random ControlNet for a test model's UNet, built in code.

``ControlNetModel.from_unet`` copies the UNet's encoder and zero-initialises the convolutions
that turn its features into residuals (as training starts), so such a ControlNet changes
nothing; those and the control-image embedding's last convolution get small random weights
here, so that parity with diffusers is not met by a ControlNet without effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

RANDOM_SEED = 20260702
EMBEDDING_CHANNELS = (8, 16, 16, 32)  # three stride-2 steps: the VAE's factor of 8


def build_random_controlnet(unet, seed: int = 0, std: float = 0.1):  # -> ControlNetModel
    """The same weights for the same UNet and ``seed``, without touching the global random
    state."""
    import torch
    from diffusers import ControlNetModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RANDOM_SEED + seed)
        controlnet = ControlNetModel.from_unet(
            unet, conditioning_embedding_out_channels=EMBEDDING_CHANNELS
        )
        zero_convs = [
            controlnet.controlnet_cond_embedding.conv_out,
            *controlnet.controlnet_down_blocks,
            controlnet.controlnet_mid_block,
        ]
        for conv in zero_convs:
            torch.nn.init.normal_(conv.weight, std=std)
            torch.nn.init.normal_(conv.bias, std=std)
    return controlnet.to(dtype=unet.dtype).eval()


@contextmanager
def installed_controlnet(controlnet, name: str) -> Iterator[str]:
    """``controlnet`` saved as ``name`` in ``SDSTUDIO_HOME/models/controlnet``, where the
    command line and the window find it; the engine's loaded ControlNets are let go after."""
    from sdstudio.engine.generation.controlnet.cache import CONTROLNETS
    from sdstudio.engine.generation.controlnet.library import controlnet_dir

    controlnet.save_pretrained(controlnet_dir() / name, safe_serialization=True)
    try:
        yield name
    finally:
        CONTROLNETS.release()
