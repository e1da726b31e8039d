"""What every model family provides; the loader, the loop and the previews only use this.

A new family (as SDXL was) is one more ``ModelFamily`` subclass instance added to
``registry.FAMILIES``: its detection, files, pipeline class, conditioning and sizes live with
it, so supporting it does not mean editing the loader or the denoising loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.models.families.conditioning import Conditioning

if TYPE_CHECKING:  # torch loads with the first model, not with the app
    import torch

# Component folder -> groups of files; one file of each group must exist (weights or configs).
RequiredFiles = Mapping[str, tuple[tuple[str, ...], ...]]
RGBFactors = tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class FamilyCapabilities:
    """What a family's models can do, for choices the UI offers and loaders accept."""

    inpainting_unet_channels: tuple[int, ...] = ()  # UNet input widths of its inpainting models
    v_prediction_default: bool = False  # single files without a sidecar .yaml predict v
    has_refiner: bool = False  # a second model finishes the last steps
    # fp16 VAEs that say ``force_upcast`` encode and decode in float32 (diffusers' SDXL
    # pipelines do; its SD 1.x/2.x pipelines do not, whatever the VAE says)
    upcasts_vae: bool = False


@dataclass(frozen=True, eq=False)  # one instance per family: compared by identity
class ModelFamily(ABC):
    """One architecture: how to recognise, load and condition its models.

    ``name`` is the stable key (metadata, settings); ``config_name`` names both its shipped
    single-file configs (``resources/model_configs``) and its browser preset
    (``resources/architectures``).
    """

    name: str
    label: str
    config_name: str
    cross_attention_width: int  # the prompt embeddings' width the UNet attends to
    native_size: int  # pixels a side the family's base model was trained at
    v_prediction_size: int  # the same for its v-prediction models
    latent_rgb_factors: RGBFactors  # scaled latents -> RGB in [-1, 1], one row per channel
    latent_rgb_bias: tuple[float, float, float]
    taesd_variant: str  # the TAESD weights that decode its latents (madebyollin/<variant>)
    capabilities: FamilyCapabilities
    required_files: RequiredFiles
    download_patterns: tuple[str, ...]  # what a hub download fetches (safetensors, configs)
    pipeline_class_names: frozenset[str]  # model_index.json ``_class_name`` values it loads
    # (width, height) sizes its models were trained for, offered as the window's presets
    size_presets: tuple[tuple[int, int], ...] = ()

    def default_size(self, prediction_type: str) -> int:
        """The side length a new image gets with a model of this family."""
        return self.v_prediction_size if prediction_type == "v_prediction" else self.native_size

    def refusal(self, pipeline: Any, img2img: bool) -> str | None:
        """Why this model cannot run a txt2img (or img2img) request, in the user's words;
        None when it can."""
        return None

    @abstractmethod
    def claims_unet(self, unet_config: Mapping[str, Any]) -> bool:
        """Whether a diffusers UNet config has this family's exact geometry."""

    @abstractmethod
    def claims_checkpoint(self, shapes: Mapping[str, list[int]]) -> bool:
        """Whether a single-file header (tensor names and shapes) holds this family's model."""

    def single_file_config_name(self, shapes: Mapping[str, list[int]]) -> str:
        """The shipped config folder a claimed single file loads with (a family with two
        architectures, like SDXL's base and refiner, tells them apart by their weights)."""
        return self.config_name

    @abstractmethod
    def assemble(self, **components: Any) -> Any:
        """The family's diffusers pipeline around already-built components."""

    @abstractmethod
    def load_folder(self, folder: Path, dtype: torch.dtype) -> Any:
        """The pipeline from a checked diffusers folder, safetensors only, offline."""

    @abstractmethod
    def load_single_file(self, path: Path, config_dir: Path, dtype: torch.dtype) -> Any:
        """The pipeline from a checked single-file checkpoint and a diffusers config folder."""

    @abstractmethod
    def encode_prompt(
        self,
        pipeline: Any,
        prompt: str,
        negative_prompt: str,
        device: torch.device,
        guided: bool,
        size: tuple[int, int] = (512, 512),
        clip_skip: int = 1,
        pad: bool = False,
    ) -> Conditioning:
        """The UNet's prompt inputs for one call per step (``[negative, prompt]`` if guided),
        for a picture of ``size`` = (height, width) (SDXL conditions on it), read ``clip_skip``
        layers before the family's usual one plus one (A1111's count). Prompts are read as
        A1111 reads them (:mod:`sdstudio.engine.prompts`); ``pad`` extends the shorter of
        prompt and negative with empty chunks so both share one UNet batch."""
