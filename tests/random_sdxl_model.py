"""A random-weight SDXL-shaped pipeline, built in code: everything SDXL adds, tiny.

Two text encoders of different widths (32 and 64, so concatenation order matters), the
second with a projection (the pooled embedding) and OpenCLIP's pad token ``!``, a UNet with
``text_time`` added conditioning, and a VAE with SDXL's scaling factor. 256 px native.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

RANDOM_SEED = 20260601
TIME_EMBED_DIM = 8
POOLED_WIDTH = 24


def build_random_sdxl_pipeline(
    refiner: bool = False, guidance_embedding: int | None = None
):  # -> StableDiffusionXL(Img2Img)Pipeline
    """The same weights every time (seeded), without touching the global random state. A
    refiner has only the second encoder and aesthetic-score size ids, as SDXL's has; with
    ``guidance_embedding`` the UNet reads the CFG scale from an embedding that wide (LCM)."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        CLIPTextModelWithProjection,
        CLIPTokenizer,
    )

    from sdstudio.engine.models.demo.tokenizer import END_TOKEN, START_TOKEN, write_tokenizer_files

    with tempfile.TemporaryDirectory() as tokenizer_dir:
        write_tokenizer_files(Path(tokenizer_dir))
        tokenizer = CLIPTokenizer.from_pretrained(tokenizer_dir)
        tokenizer_2 = CLIPTokenizer.from_pretrained(tokenizer_dir, pad_token="!")
    vocab = tokenizer.get_vocab()

    def text_config(width: int, **extra) -> CLIPTextConfig:
        return CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=3,
            num_attention_heads=4,
            max_position_embeddings=77,
            hidden_act="gelu",
            bos_token_id=vocab[START_TOKEN],
            eos_token_id=vocab[END_TOKEN],
            pad_token_id=vocab["!"],
            **extra,
        )

    text_widths = (64,) if refiner else (32, 64)
    aesthetic_ids = 5 if refiner else 6  # (H, W, top, left, score) vs (H, W, top, left, H, W)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RANDOM_SEED + int(refiner))
        unet = UNet2DConditionModel(
            sample_size=32,
            in_channels=4,
            out_channels=4,
            layers_per_block=1,
            block_out_channels=(32, 64),
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            transformer_layers_per_block=(1, 2),
            attention_head_dim=(2, 4),
            use_linear_projection=True,
            cross_attention_dim=sum(text_widths),
            addition_embed_type="text_time",
            addition_time_embed_dim=TIME_EMBED_DIM,
            projection_class_embeddings_input_dim=aesthetic_ids * TIME_EMBED_DIM + POOLED_WIDTH,
            norm_num_groups=16,
            time_cond_proj_dim=guidance_embedding,
        )
        vae = AutoencoderKL(
            in_channels=3,
            out_channels=3,
            block_out_channels=(16, 32, 32, 32),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            latent_channels=4,
            layers_per_block=1,
            norm_num_groups=16,
            sample_size=256,
            scaling_factor=0.13025,
            force_upcast=True,
        )
        text_encoder = None if refiner else CLIPTextModel(text_config(32))
        text_encoder_2 = CLIPTextModelWithProjection(text_config(64, projection_dim=POOLED_WIDTH))
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        num_train_timesteps=1000,
        steps_offset=1,
        timestep_spacing="leading",
    )
    components = {
        "vae": vae.eval(),
        "text_encoder_2": text_encoder_2.eval(),
        "tokenizer_2": tokenizer_2,
        "unet": unet.eval(),
        "scheduler": scheduler,
    }
    if refiner:
        from diffusers import StableDiffusionXLImg2ImgPipeline

        return StableDiffusionXLImg2ImgPipeline(
            **components,
            text_encoder=None,
            tokenizer=None,
            requires_aesthetics_score=True,
            force_zeros_for_empty_prompt=False,
            add_watermarker=False,
        )
    from sdstudio.engine.models.families import SDXL

    return SDXL.assemble(**components, text_encoder=text_encoder.eval(), tokenizer=tokenizer)
