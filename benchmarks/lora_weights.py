"""Changing a LoRA's weight between runs without reloading, on an SD 1.5-shaped model.

Builds SD 1.5's UNet and text encoder from the shipped configs (random weights: the cost of
LoRA handling depends on the layer count and sizes, not on what the weights learnt), writes a
kohya-format LoRA on every attention layer of both, then times through sdstudio's
``apply_loras``: the first application (diffusers' ``load_lora_weights``), a weight change
(goal <= 1 s), and taking the LoRA off again.

    python benchmarks/lora_weights.py [--rank 16] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from sdstudio.engine.models.families import SD1
    from sdstudio.engine.models.families.config_files import load_clip_tokenizer
    from sdstudio.engine.networks.library import NetworkFile, NetworkKind
    from sdstudio.engine.networks.lora_adapters import LoraChoice, apply_loras
    from sdstudio.engine.resources import resources_dir
    from tests.networks_fixtures import write_kohya_lora

    configs = resources_dir() / "model_configs" / "sd15"
    started = time.perf_counter()
    unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(configs / "unet"))
    vae = AutoencoderKL.from_config(AutoencoderKL.load_config(configs / "vae"))
    text_encoder = CLIPTextModel(CLIPTextConfig.from_pretrained(configs / "text_encoder"))
    scheduler = EulerDiscreteScheduler.from_config(
        EulerDiscreteScheduler.load_config(configs / "scheduler")
    )
    pipeline = SD1.assemble(
        unet=unet.eval(),
        vae=vae.eval(),
        text_encoder=text_encoder.eval(),
        tokenizer=load_clip_tokenizer("<|endoftext|>"),
        scheduler=scheduler,
    )
    built = time.perf_counter() - started
    unet_parameters = sum(p.numel() for p in unet.parameters())
    folder = Path(tempfile.mkdtemp(prefix="sdstudio-bench-lora-"))
    path = write_kohya_lora(pipeline, folder / "style.safetensors", rank=args.rank, scale=0.01)
    size_mb = path.stat().st_size / 1e6
    lora = NetworkFile(NetworkKind.LORA, path)

    def timed(weight: float | None) -> float:
        choices = [] if weight is None else [LoraChoice(lora, weight, weight)]
        start = time.perf_counter()
        apply_loras(pipeline, choices)
        return time.perf_counter() - start

    first = timed(1.0)
    changes = [timed(0.3 + 0.1 * index) for index in range(args.repeats)]
    removal = timed(None)
    millions = unet_parameters / 1e6
    print(f"SD 1.5-shaped model: UNet {millions:.0f} M parameters (built in {built:.0f} s)")
    print(f"LoRA: rank {args.rank}, kohya format, {size_mb:.1f} MB")
    print(f"first application (load_lora_weights): {first:.2f} s")
    print(
        f"weight change, median of {args.repeats}: {statistics.median(changes):.3f} s (goal <= 1 s)"
    )
    print(f"taking it off (unload_lora_weights): {removal:.2f} s")


if __name__ == "__main__":
    main()
