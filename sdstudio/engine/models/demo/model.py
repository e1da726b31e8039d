"""The demo model: a tiny, seeded, SD 1.x-shaped pipeline built from code, with random weights.

It uses the real diffusers/transformers classes and the SD 1.x latent geometry (VAE scale
factor 8, 4 latent channels), so everything in the app behaves as with a real model, but it
makes abstract patterns. It is written once as an ordinary diffusers folder under
``SDSTUDIO_HOME/models`` and loads like any folder, as an SD 1.x family model.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sdstudio.engine.paths import models_dir

DEMO_NAME = "demo"
DEMO_VERSION = 1
DEMO_SEED = 20240601
DEMO_LABEL = (
    "Demo model — random weights, makes abstract patterns; load a real model for real images."
)


def demo_model_dir() -> Path:
    """Where the demo folder lives (it may not exist yet)."""
    return models_dir() / f"demo-v{DEMO_VERSION}"


def ensure_demo_model() -> Path:
    """Return the demo folder, building it first if needed (atomically, so never half-written)."""
    target = demo_model_dir()
    if (target / "model_index.json").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".demo-building-", dir=target.parent))
    try:
        build_demo_pipeline().save_pretrained(staging, safe_serialization=True)
        try:
            staging.rename(target)
        except OSError:
            # Another process may have built it first: its folder is as good as ours.
            if not (target / "model_index.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def build_demo_pipeline():  # -> the SD 1.x family's diffusers pipeline
    """Build the demo pipeline in memory, identically every time."""
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
        torch.manual_seed(DEMO_SEED)
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
        torch.manual_seed(DEMO_SEED + 1)
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
        torch.manual_seed(DEMO_SEED + 2)
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
