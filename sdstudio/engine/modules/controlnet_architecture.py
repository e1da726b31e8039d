"""A ControlNet's architecture for the browser, built on meta from its config (weights unread).

A diffusers folder says its architecture in ``config.json``. A single ``.safetensors`` file
holds weights only: it is shown as a model reads it, the loaded model's UNet encoder with the
control-image embedding its header describes, so browsing one needs a loaded model. The one
component is named ``controlnet``, the name a run's first unit is watched by
(:mod:`~sdstudio.engine.generation.controlnet.watch_names`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.controlnet.library import CONTROLNET_SUFFIX
from sdstudio.engine.generation.controlnet.loading import folder_config, single_file_template
from sdstudio.engine.generation.controlnet.watch_names import CONTROLNET_COMPONENT
from sdstudio.engine.models.families import FAMILIES
from sdstudio.engine.modules.architectures import Architecture

FALLBACK_SIDE = 512  # a ControlNet of no known family (the demo's) is traced at SD 1.x's size


def controlnet_name(path: Path) -> str:
    """What the user calls it, as units and A1111 do: a file's stem or a folder's name."""
    return path.stem if path.suffix.lower() == CONTROLNET_SUFFIX else path.name


def controlnet_architecture(path: Path, unet: Any | None = None) -> Architecture:
    """The ControlNet at ``path`` on the meta device; a single file needs the loaded model's
    ``unet``. Raises ``ModelLoadError`` saying why it cannot be shown."""
    import torch
    from diffusers import ControlNetModel

    name = controlnet_name(path)
    if not path.is_dir() and unet is None:
        raise ModelLoadError(
            f"The ControlNet {name} is a single file, read into the loaded model's UNet "
            "architecture: load a model to browse it."
        )
    try:
        if path.is_dir():
            config = folder_config(path)
            with torch.device("meta"):
                controlnet = ControlNetModel.from_config(config).eval()
        else:
            controlnet = single_file_template(path, unet).eval()
    except (ValueError, TypeError, KeyError) as error:  # a config diffusers cannot build
        raise ModelLoadError(f"Could not read the ControlNet {name}: {error}") from None
    side = _native_side(controlnet.config)
    components = {CONTROLNET_COMPONENT: controlnet}
    return Architecture(name, f"ControlNet: {name}", (side, side), components)


def _native_side(config: Any) -> int:
    """The size its family's models were trained at (a ControlNet copies their encoder)."""
    family = next((family for family in FAMILIES if family.claims_unet(config)), None)
    return family.native_size if family is not None else FALLBACK_SIDE
