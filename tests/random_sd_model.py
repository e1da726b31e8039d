"""A random-weight SD 1.x pipeline of another shape than the demo's, built in code.

For the tests that need a second model, or SD's original layout (a mid-block with attention,
which the demo's faster UNet leaves out, so its weights convert to a single-file checkpoint):
512 native, 32-wide text, a tokenizer with an everyday vocabulary.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

RANDOM_SEED = 20240601


def build_random_sd_pipeline():  # -> StableDiffusionPipeline
    """The same weights every time (seeded), without touching the global random state."""
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from sdstudio.engine.models.demo.tokenizer import END_TOKEN, START_TOKEN, write_tokenizer_files
    from sdstudio.engine.models.families import SD1

    with tempfile.TemporaryDirectory() as tokenizer_dir:
        write_tokenizer_files(Path(tokenizer_dir))
        tokenizer = CLIPTokenizer.from_pretrained(tokenizer_dir)
    vocab = tokenizer.get_vocab()

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RANDOM_SEED)
        unet = UNet2DConditionModel(
            sample_size=64,
            in_channels=4,
            out_channels=4,
            layers_per_block=1,
            block_out_channels=(32, 32, 64, 64),
            down_block_types=(
                "DownBlock2D",
                "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D",
                "DownBlock2D",
            ),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=32,
            attention_head_dim=8,
            norm_num_groups=16,
        )
        torch.manual_seed(RANDOM_SEED + 1)
        vae = AutoencoderKL(
            in_channels=3,
            out_channels=3,
            block_out_channels=(16, 32, 64, 64),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            latent_channels=4,
            layers_per_block=1,
            norm_num_groups=16,
            sample_size=512,
            scaling_factor=0.18215,
        )
        torch.manual_seed(RANDOM_SEED + 2)
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                vocab_size=len(vocab),
                hidden_size=32,
                intermediate_size=64,
                num_hidden_layers=2,
                num_attention_heads=4,
                max_position_embeddings=77,
                hidden_act="quick_gelu",
                bos_token_id=vocab[START_TOKEN],
                eos_token_id=vocab[END_TOKEN],
                pad_token_id=vocab[END_TOKEN],
            )
        )
    scheduler = PNDMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        num_train_timesteps=1000,
        skip_prk_steps=True,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    return SD1.assemble(
        vae=vae.eval(),
        text_encoder=text_encoder.eval(),
        tokenizer=tokenizer,
        unet=unet.eval(),
        scheduler=scheduler,
    )
