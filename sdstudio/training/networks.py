"""The demo model's networks: real diffusers/transformers classes in SD 1.x's geometry, small.

Sized for a 2-core CPU: the VAE downscales ×8 into 4 latent channels (128×128 → 16×16), the
UNet attends to the prompt only at 8×8 (attention at 16×16 tripled its step time), and the
text encoder is two narrow layers. Its cross-attention width (64) matches no family, so the
app takes the model as SD 1.x, like the random demo.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sdstudio.engine.models.demo.tokenizer import (
    END_TOKEN,
    START_TOKEN,
    vocabulary_for,
    write_tokenizer_files,
)
from sdstudio.training.world import COLOURS, Position, Shape

TEXT_WIDTH = 64
# Group norm removes each group's mean over the picture; with one channel per group a flat
# colour (the whole background) would vanish. Four groups keep 4-16 channels in each, so
# colours survive as differences between channels.
NORM_GROUPS = 4
# Every word the world's prompts (and their paraphrases) use; each becomes one token.
WORLD_WORDS = (
    *COLOURS,
    "gray",
    *(shape.value for shape in Shape),
    *(position.value for position in Position),
    *["a", "on", "the", "in", "at", "middle", "centre", "background"],
)
MERGE_COUNT = 1000  # more than the words need: merging stops when every word is whole


def world_vocabulary() -> tuple[dict[str, int], list[tuple[str, str]]]:
    return vocabulary_for(WORLD_WORDS, MERGE_COUNT)


def build_tokenizer():  # -> CLIPTokenizer
    from transformers import CLIPTokenizer

    with tempfile.TemporaryDirectory() as folder:
        write_tokenizer_files(Path(folder), vocabulary=world_vocabulary())
        return CLIPTokenizer.from_pretrained(folder)


def build_vae():  # -> AutoencoderKL
    import torch
    from diffusers import AutoencoderKL

    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        block_out_channels=(16, 32, 32, 32),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=NORM_GROUPS,
        sample_size=128,
        scaling_factor=1.0,  # set from the latents' spread once the VAE is trained
    )
    # The posterior starts narrow (std e^-3): with unit noise on small latents at first, the
    # decoder would see only noise, and a few hundred steps are all the VAE gets.
    with torch.no_grad():
        vae.quant_conv.bias[4:] = -6.0
    return vae


def build_unet():  # -> UNet2DConditionModel
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        sample_size=16,
        in_channels=4,
        out_channels=4,
        layers_per_block=1,
        block_out_channels=(32, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        # The middle keeps its two resnets but not their transformer: the prompt is read
        # at 8×8 on the way down and up, and 20 steps stay within half a second on 2 cores.
        mid_block_type="UNetMidBlock2D",
        cross_attention_dim=TEXT_WIDTH,
        attention_head_dim=8,
        norm_num_groups=NORM_GROUPS,
    )


def build_text_encoder(vocab: dict[str, int]):  # -> CLIPTextModel
    from transformers import CLIPTextConfig, CLIPTextModel

    return CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=TEXT_WIDTH,
            intermediate_size=2 * TEXT_WIDTH,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=77,
            hidden_act="quick_gelu",
            bos_token_id=vocab[START_TOKEN],
            eos_token_id=vocab[END_TOKEN],
            pad_token_id=vocab[END_TOKEN],
        )
    )


def training_scheduler():  # -> DDPMScheduler, SD's betas
    from diffusers import DDPMScheduler

    return DDPMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000
    )


def sd_scheduler():  # -> PNDMScheduler configured as SD 1.x ships it
    """SD 1.x's scheduler config, ``clip_sample: false`` included: schedulers made from it
    (DDIM for the sample grids) must not clip the predicted latents to [-1, 1]."""
    from diffusers import PNDMScheduler

    return PNDMScheduler.from_config(
        {
            "beta_start": 0.00085,
            "beta_end": 0.012,
            "beta_schedule": "scaled_linear",
            "num_train_timesteps": 1000,
            "skip_prk_steps": True,
            "set_alpha_to_one": False,
            "steps_offset": 1,
            "clip_sample": False,
        }
    )


def inference_scheduler():  # -> EulerDiscreteScheduler with SD 1.x's betas
    """The demo's own default ("Default" in the window): Euler on SD's schedule. SD 1.x ships
    PNDM, whose multistep extrapolation, amplified by CFG 7, throws this small model's first
    steps off (30% of the faithfulness checks right against 78% for Euler or DDIM)."""
    from diffusers import EulerDiscreteScheduler

    return EulerDiscreteScheduler.from_config(sd_scheduler().config)
