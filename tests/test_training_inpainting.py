"""The demo's inpainting fine-tune: a tiny run writes a 9-channel model sdstudio inpaints with."""

from __future__ import annotations

import json
import random

import numpy as np
from PIL import Image

from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.training.inpainting import (
    InpaintTrainConfig,
    random_mask,
    train_inpainting,
    training_example,
    widened_unet,
)

TINY = InpaintTrainConfig(steps=2, batch=2, pool_size=4, every=1)


def test_a_tiny_run_writes_an_inpainting_model_that_inpaints(tmp_path) -> None:
    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.events import ImageFinished
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model

    folder = train_inpainting(demo_model_dir(), tmp_path / "run", TINY, log=lambda _line: None)
    index = json.loads((folder / "model_index.json").read_text())
    record = json.loads((folder / "training.json").read_text())
    model = load_model(str(folder), device="cpu")
    mask = Image.new("L", (128, 128), 0)
    mask.paste(255, (0, 0, 64, 128))
    init = Image.new("RGB", (128, 128), (40, 80, 220))
    request = GenerationRequest(
        "a red square", steps=2, width=128, height=128, init_image=init, mask=mask, strength=1.0
    )
    (image,) = [e.image for e in generate(model, request) if isinstance(e, ImageFinished)]
    assert index["_class_name"] == "StableDiffusionInpaintPipeline"
    assert model.pipeline.unet.config.in_channels == 9
    assert record["steps"] == 2 and "unet/diffusion_pytorch_model.safetensors" in record["weights"]
    assert np.asarray(image)[:, 100].tolist() == np.asarray(init)[:, 100].tolist()


def test_the_widened_unet_first_behaves_as_the_demo_one() -> None:
    """The new channels start at zero: whatever they hold, the output is the old UNet's."""
    import torch
    from diffusers import UNet2DConditionModel

    unet = UNet2DConditionModel.from_pretrained(demo_model_dir() / "unet").eval()
    wide = widened_unet(unet).eval()
    latents = torch.randn(1, 4, 16, 16)
    context = torch.randn(1, 77, unet.config.cross_attention_dim)
    with torch.no_grad():
        old = unet(latents, 500, context).sample
        new = wide(torch.cat([latents, torch.randn(1, 5, 16, 16)], 1), 500, context).sample
    assert torch.allclose(old, new, atol=1e-5)


def test_training_masks_are_of_every_kind_and_never_empty() -> None:
    rng = random.Random(3)
    picture = Image.new("RGB", (128, 128), (160, 160, 160))
    coverages = [
        float((np.asarray(random_mask(rng, picture, (160, 160, 160))) > 0).mean())
        for _ in range(60)
    ]
    assert min(coverages) > 0 and max(coverages) == 1.0 and min(coverages) < 0.5


def test_a_composite_example_paints_the_asked_scene_into_the_masked_half() -> None:
    rng = random.Random(5)
    for _ in range(20):
        scene, picture, mask = training_example(rng, composite_share=1.0)
        assert scene.position is not None and picture.size == mask.size == (128, 128)
        assert 0 < (np.asarray(mask) > 0).mean() < 1
