"""Stable Diffusion 1.x and 2.x: one CLIP text encoder, a 4-channel latent UNet, one VAE.

The two differ in data, not code: the text encoder (CLIP ViT-L, 768 wide, vs OpenCLIP
ViT-H, 1024 wide), its padding token, where a single file keeps it, and the training size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.models.component_classes import left_out_components
from sdstudio.engine.models.families.conditioning import Conditioning, encode_for_guidance
from sdstudio.engine.models.families.config_files import load_clip_tokenizer
from sdstudio.engine.models.families.family import ModelFamily
from sdstudio.engine.models.json_files import read_model_json

if TYPE_CHECKING:  # torch loads with the first model, not with the app
    import torch

_WEIGHTS = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.safetensors.index.json")
_WEIGHT_PATTERNS = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model-*.safetensors")
REQUIRED_FILES: dict[str, tuple[tuple[str, ...], ...]] = {
    "unet": (("config.json",), _WEIGHTS),
    "vae": (("config.json",), _WEIGHTS),
    "text_encoder": (("config.json",), ("model.safetensors", "model.safetensors.index.json")),
    "tokenizer": (("vocab.json", "tokenizer.json"),),
    "scheduler": (("scheduler_config.json",),),
}
DOWNLOAD_PATTERNS = (
    "model_index.json",
    "scheduler/*.json",
    "tokenizer/*.json",
    "tokenizer/*.txt",
    "text_encoder/*.json",
    "text_encoder/model.safetensors",
    "text_encoder/model-*.safetensors",
    "unet/*.json",
    *(f"unet/{name}" for name in _WEIGHT_PATTERNS),
    "vae/*.json",
    *(f"vae/{name}" for name in _WEIGHT_PATTERNS),
)
PIPELINE_CLASS_NAMES = frozenset(
    {"StableDiffusionPipeline", "StableDiffusionImg2ImgPipeline", "StableDiffusionInpaintPipeline"}
)
# Published factors for the SD 1.x latent space (as used by ComfyUI's previews); SD 2.x
# shares SD 1.x's VAE, hence its latent space.
SD_LATENT_RGB_FACTORS = (
    (0.3512, 0.2297, 0.3227),
    (0.3250, 0.4974, 0.2350),
    (-0.2829, 0.1762, 0.2721),
    (-0.2120, -0.2616, -0.7177),
)


@dataclass(frozen=True, eq=False)
class StableDiffusionFamily(ModelFamily):
    """SD 1.x or 2.x, loaded with ``StableDiffusionPipeline``."""

    checkpoint_text_encoder: str = "cond_stage_model.transformer."  # key prefix in single files
    pad_token: str = "<|endoftext|>"

    def claims_unet(self, unet_config: Mapping[str, Any]) -> bool:
        return unet_config.get("cross_attention_dim") == self.cross_attention_width

    def claims_checkpoint(self, shapes: Mapping[str, list[int]]) -> bool:
        return any(key.startswith(self.checkpoint_text_encoder) for key in shapes)

    def assemble(self, **components: Any) -> Any:
        from diffusers import StableDiffusionPipeline

        components.setdefault("safety_checker", None)
        components.setdefault("feature_extractor", None)
        return StableDiffusionPipeline(**components, requires_safety_checker=False)

    def load_folder(self, folder: Path, dtype: torch.dtype) -> Any:
        from diffusers import StableDiffusionPipeline

        index = read_model_json(folder / "model_index.json")
        left_out = left_out_components(StableDiffusionPipeline, index)
        return StableDiffusionPipeline.from_pretrained(
            folder,
            torch_dtype=dtype,
            requires_safety_checker=False,
            local_files_only=True,
            use_safetensors=True,
            **{**left_out, "safety_checker": None, "feature_extractor": None},
        )

    def load_single_file(self, path: Path, config_dir: Path, dtype: torch.dtype) -> Any:
        from diffusers import StableDiffusionPipeline

        components: dict[str, Any] = {}
        if not (Path(config_dir) / "tokenizer").is_dir():  # the shipped configs have none
            components["tokenizer"] = load_clip_tokenizer(self.pad_token)
        return StableDiffusionPipeline.from_single_file(
            str(path),
            config=str(config_dir),
            torch_dtype=dtype,
            local_files_only=True,
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
            **components,
        )

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
        return encode_for_guidance(
            pipeline.tokenizer,
            pipeline.text_encoder,
            prompt,
            negative_prompt,
            device,
            guided,
            clip_skip,
            pad,
        )
