"""Stable Diffusion XL: two CLIP text encoders, a pooled embedding and size ids for the UNet.

What differs from SD 1.x/2.x is all here: the extra files (``text_encoder_2``,
``tokenizer_2``), the pipeline class, and the conditioning, encoded as diffusers'
``StableDiffusionXLPipeline`` does it so our loop reproduces its pictures (prompts read as
A1111 reads them, per encoder; the pooled embedding is the first chunk's):

- both encoders run with ``output_hidden_states``; their penultimate layers are concatenated;
- the pooled embedding is ``text_encoder_2``'s projection;
- the time ids are (original size, crop top-left, target size) = ((H, W), (0, 0), (H, W)); a
  refiner (``requires_aesthetics_score``) gets (H, W, 0, 0, 6.0) and 2.5 for the negative;
- an empty negative prompt becomes zeros when the model says ``force_zeros_for_empty_prompt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import ModelLoadError, RequestError
from sdstudio.engine.models.component_classes import left_out_components
from sdstudio.engine.models.families.conditioning import Conditioning, guidance_pair
from sdstudio.engine.models.families.config_files import load_clip_tokenizer
from sdstudio.engine.models.families.family import ModelFamily
from sdstudio.engine.models.families.stable_diffusion import (
    DOWNLOAD_PATTERNS,
    REQUIRED_FILES,
)
from sdstudio.engine.models.json_files import read_model_json
from sdstudio.engine.prompts.weighted_encoding import encode_prompt_chunks

if TYPE_CHECKING:  # torch loads with the first model, not with the app
    import torch

SDXL_REQUIRED_FILES: dict[str, tuple[tuple[str, ...], ...]] = {
    **REQUIRED_FILES,
    "text_encoder_2": REQUIRED_FILES["text_encoder"],
    "tokenizer_2": REQUIRED_FILES["tokenizer"],
}
SDXL_DOWNLOAD_PATTERNS = (
    *DOWNLOAD_PATTERNS,
    "tokenizer_2/*.json",
    "tokenizer_2/*.txt",
    "text_encoder_2/*.json",
    "text_encoder_2/model.safetensors",
    "text_encoder_2/model-*.safetensors",
)
SDXL_PIPELINE_CLASS_NAMES = frozenset(
    {
        "StableDiffusionXLPipeline",
        "StableDiffusionXLImg2ImgPipeline",
        "StableDiffusionXLInpaintPipeline",
    }
)
# Published factors for SDXL's latent space (as ComfyUI's previews use them).
SDXL_LATENT_RGB_FACTORS = (
    (0.3651, 0.4232, 0.4341),
    (-0.2533, -0.0042, 0.1068),
    (0.1076, 0.1111, -0.0362),
    (-0.3165, -0.2492, -0.2188),
)
SDXL_LATENT_RGB_BIAS = (0.1084, -0.0175, -0.0011)
# Key prefix of the text encoders in single files (sgm's "conditioner"): a base model has CLIP
# ViT-L at embedders.0.transformer and OpenCLIP ViT-bigG at embedders.1.model.
CHECKPOINT_ENCODERS = "conditioner.embedders."
# The CLIP tokenizer's padding per SDXL tokenizer: CLIP's end token, then OpenCLIP's "!".
PAD_TOKENS = {"tokenizer": "<|endoftext|>", "tokenizer_2": "!"}
AESTHETIC_SCORE = 6.0  # diffusers' defaults for refiners' time ids
NEGATIVE_AESTHETIC_SCORE = 2.5


@dataclass(frozen=True)
class SDXLConditioning(Conditioning):
    """Prompt embeddings plus what SDXL's UNet adds to its time embedding: the pooled text
    embedding and the size ids (one row per guidance half)."""

    pooled: torch.Tensor
    time_ids: torch.Tensor

    def unet_kwargs(self) -> dict[str, Any]:
        return {
            "encoder_hidden_states": self.encoder_hidden_states(),
            "added_cond_kwargs": {"text_embeds": self.pooled, "time_ids": self.time_ids},
        }


@dataclass(frozen=True, eq=False)
class SDXLFamily(ModelFamily):
    """SDXL base and refiner models, loaded with ``StableDiffusionXLPipeline``."""

    def claims_unet(self, unet_config: Mapping[str, Any]) -> bool:
        return unet_config.get("addition_embed_type") == "text_time"

    def claims_checkpoint(self, shapes: Mapping[str, list[int]]) -> bool:
        return any(key.startswith(CHECKPOINT_ENCODERS) for key in shapes)

    def single_file_config_name(self, shapes: Mapping[str, list[int]]) -> str:
        """A base file has two encoders (the second at ``embedders.1``); a refiner only
        OpenCLIP's, at ``embedders.0.model``."""
        if any(key.startswith(CHECKPOINT_ENCODERS + "1.") for key in shapes):
            return self.config_name
        return self.config_name + "_refiner"

    def refusal(self, pipeline: Any, img2img: bool) -> str | None:
        if pipeline.text_encoder is None and not img2img:
            return (
                "This is an SDXL refiner: it finishes pictures and cannot start one from "
                "noise. Load an SDXL base model, or give the refiner an init image (img2img)."
            )
        return None

    def assemble(self, **components: Any) -> Any:
        from diffusers import StableDiffusionXLPipeline

        components.setdefault("add_watermarker", False)
        return StableDiffusionXLPipeline(**components)

    def load_folder(self, folder: Path, dtype: torch.dtype) -> Any:
        """With the class the folder names: a refiner's img2img pipeline keeps its
        ``requires_aesthetics_score``, which changes its size ids."""
        pipeline_class, index = _named_pipeline(folder)
        return pipeline_class.from_pretrained(
            folder,
            torch_dtype=dtype,
            add_watermarker=False,
            local_files_only=True,
            use_safetensors=True,
            **left_out_components(pipeline_class, index),
        )

    def load_single_file(self, path: Path, config_dir: Path, dtype: torch.dtype) -> Any:
        """diffusers converts the weights; the tokenizers are the shipped CLIP files (the
        second pads with ``!``, as OpenCLIP does) unless the config folder has its own."""
        pipeline_class, index = _named_pipeline(config_dir)
        components: dict[str, Any] = {}
        for name, pad_token in PAD_TOKENS.items():
            wanted = (index.get(name) or [None])[0] is not None
            if wanted and not (config_dir / name).is_dir():
                components[name] = load_clip_tokenizer(pad_token)
        return pipeline_class.from_single_file(
            str(path),
            config=str(config_dir),
            torch_dtype=dtype,
            local_files_only=True,
            add_watermarker=False,
            **components,
        )

    def encode_prompt(
        self,
        pipeline: Any,
        prompt: str,
        negative_prompt: str,
        device: torch.device,
        guided: bool,
        size: tuple[int, int] = (1024, 1024),
        clip_skip: int = 1,
        pad: bool = False,
    ) -> Conditioning:
        import torch

        embeddings, pooled = _encode_both(pipeline, prompt, device, clip_skip=clip_skip)
        time_ids, negative_time_ids = _time_ids(pipeline, size, embeddings.dtype)
        if not guided:
            return SDXLConditioning(embeddings, pooled.to(device), time_ids.to(device))
        if not negative_prompt and pipeline.config.force_zeros_for_empty_prompt:
            # An empty negative box counts as none: SDXL then guides away from zeros.
            negative, negative_pooled = torch.zeros_like(embeddings), torch.zeros_like(pooled)
        else:
            # Clip skip is the prompt's alone, as in diffusers (see conditioning.py).
            negative, negative_pooled = _encode_both(pipeline, negative_prompt, device)
        joined, apart = guidance_pair(
            negative, embeddings, pad, lambda: _encode_both(pipeline, "", device)[0]
        )
        return SDXLConditioning(
            joined,
            torch.cat([negative_pooled, pooled]).to(device),
            torch.cat([negative_time_ids, time_ids]).to(device),
            negative=apart,
        )


def _named_pipeline(folder: Path) -> tuple[type, dict[str, Any]]:
    """The pipeline class ``model_index.json`` names (a refiner's is the img2img one), and
    the index itself."""
    from diffusers import StableDiffusionXLImg2ImgPipeline, StableDiffusionXLPipeline

    index = read_model_json(folder / "model_index.json")
    img2img = index.get("_class_name") == "StableDiffusionXLImg2ImgPipeline"
    return (StableDiffusionXLImg2ImgPipeline if img2img else StableDiffusionXLPipeline), index


def _encoders(pipeline: Any) -> list[tuple[Any, Any]]:
    """(tokenizer, text encoder) pairs; a refiner has only the second."""
    pairs = [
        (pipeline.tokenizer, pipeline.text_encoder),
        (pipeline.tokenizer_2, pipeline.text_encoder_2),
    ]
    return [(tokenizer, encoder) for tokenizer, encoder in pairs if encoder is not None]


def _encode_both(
    pipeline: Any, text: str, device: torch.device, clip_skip: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each encoder's chunks as A1111 reads the prompt (penultimate hidden states;
    ``clip_skip`` 2 and up reads earlier ones, as diffusers' ``clip_skip`` one less does),
    side by side, and the second encoder's pooled output of the first chunk."""
    import torch

    hidden, pooled = [], None
    for tokenizer, encoder in _encoders(pipeline):

        def encode(ids: torch.Tensor, _mask: torch.Tensor, encoder: Any = encoder) -> Any:
            output = encoder(ids, output_hidden_states=True)
            layers = output.hidden_states
            chunk_pooled = output[0] if output[0].ndim == 2 else None  # text_embeds
            return layers[-min(clip_skip + 1, len(layers))], chunk_pooled

        states, encoder_pooled = encode_prompt_chunks(tokenizer, text, encode, device)
        pooled = pooled if encoder_pooled is None else encoder_pooled
        hidden.append(states)
    if len({states.shape[1] for states in hidden}) > 1:
        raise RequestError(
            "SDXL's two tokenizers split this prompt into different numbers of chunks "
            "(an embedding loaded for one encoder only?); shorten the prompt."
        )
    embeddings = torch.concat(hidden, dim=-1)
    dtype = pipeline.text_encoder_2.dtype if pipeline.text_encoder_2 is not None else None
    embeddings = embeddings.to(dtype=dtype or pipeline.unet.dtype, device=device)
    if pooled is None:
        raise ModelLoadError("This SDXL model's second text encoder gives no pooled embedding.")
    return embeddings, pooled


def _time_ids(
    pipeline: Any, size: tuple[int, int], dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor]:
    """(prompt, negative) size ids for a picture of ``size`` = (height, width)."""
    import torch

    height, width = size
    if getattr(pipeline.config, "requires_aesthetics_score", False):
        ids = [height, width, 0, 0, AESTHETIC_SCORE]
        negative = [height, width, 0, 0, NEGATIVE_AESTHETIC_SCORE]
    else:
        ids = negative = [height, width, 0, 0, height, width]
    return torch.tensor([ids], dtype=dtype), torch.tensor([negative], dtype=dtype)
