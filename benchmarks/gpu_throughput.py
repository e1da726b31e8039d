"""GPU throughput: our denoising loop against diffusers' pipeline on an SD 1.5-shaped model.

The model is SD 1.5's architecture built from ``resources/model_configs/sd15`` with random
weights: the same compute as the real model, nothing downloaded. 512x512, fp16 (VAE in fp32 as
the app runs it), classifier-free guidance on, 20 steps. For each variant (eager,
channels_last, channels_last + torch.compile) it prints the denoising iterations per second of
our loop and of diffusers' ``StableDiffusionPipeline``, measured in the same process, between
the first and the last step (each step ends with a CUDA synchronize, for both).

    python benchmarks/gpu_throughput.py [--steps 20] [--size 512] [--runs 3]
        [--no-compile] [--compile-mode default|reduce-overhead|max-autotune]

``--sdxl`` measures an SDXL-shaped model instead: the 2.57 B UNet and both text encoders from
``resources/model_configs/sdxl`` with random weights, 1024x1024, 30 steps unless given, against
``StableDiffusionXLPipeline``; it also prints seconds per image (the anchor: about 2.5 s on an
H100, 1.47 s with TensorRT).

Without a CUDA GPU it says so and exits 0. ``--tiny`` runs a tiny model on the CPU instead
(the demo, or with ``--sdxl`` the tests' tiny SDXL), to check the script itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="20 (SDXL: 30)")
    parser.add_argument("--size", type=int, default=None, help="512 (SDXL: 1024)")
    parser.add_argument("--sdxl", action="store_true", help="an SDXL-shaped model")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per variant (median)")
    parser.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    parser.add_argument("--compile-mode", default="default")
    parser.add_argument("--tiny", action="store_true", help="demo model on the CPU (smoke test)")
    args = parser.parse_args()
    args.steps = args.steps or (30 if args.sdxl else 20)
    args.size = args.size or (1024 if args.sdxl else 512)
    if args.tiny:
        args.size = min(args.size, 128)

    import torch

    if not args.tiny and not torch.cuda.is_available():
        print("gpu_throughput needs a CUDA GPU; none is available here, so nothing was measured.")
        return 0
    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    if args.sdxl:
        model = _tiny_sdxl_model() if args.tiny else _sdxl_random_model()
    else:
        model = _tiny_model() if args.tiny else _sd15_random_model()
    _print_setup(model, args)
    variants: list[tuple[str, Callable[[Any], None]]] = [
        ("eager", lambda pipe: None),
        ("channels_last", _channels_last),
    ]
    if not args.no_compile:
        variants.append(
            (f"channels_last + compile({args.compile_mode})", _compiler(args.compile_mode))
        )
    for label, prepare in variants:
        try:
            prepare(model.pipeline)
            ours, theirs = _measure(model, args)
        except Exception as error:  # a variant that fails must not hide the others' numbers
            print(f"{label:<42} failed: {type(error).__name__}: {error}".splitlines()[0])
            continue
        per_image = f"   ({args.steps / ours:.2f} s per image of steps)" if args.sdxl else ""
        print(f"{label:<42} ours {ours:7.2f} it/s   diffusers {theirs:7.2f} it/s{per_image}")
    return 0


def _sd15_random_model():
    import torch
    from diffusers import (
        AutoencoderKL,
        PNDMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    from sdstudio.engine.devices import resolve_device
    from sdstudio.engine.models.families import SD1
    from sdstudio.engine.models.families.config_files import (
        family_config_dir,
        load_clip_tokenizer,
    )
    from sdstudio.engine.models.load_options import LoadOptions
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.models.placement import place_pipeline

    configs = family_config_dir(SD1)
    placement = resolve_device("cuda")
    torch.manual_seed(0)
    with torch.device("cuda"):  # initialise the random weights on the GPU: seconds, not minutes
        unet = UNet2DConditionModel.from_config(
            UNet2DConditionModel.load_config(configs, subfolder="unet")
        )
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(configs, subfolder="vae"))
        text_encoder = CLIPTextModel(
            CLIPTextConfig.from_pretrained(configs, subfolder="text_encoder")
        )
    pipeline = StableDiffusionPipeline(
        vae=vae.eval(),
        text_encoder=text_encoder.eval(),
        tokenizer=load_clip_tokenizer(SD1.pad_token),
        unet=unet.eval(),
        scheduler=PNDMScheduler.from_pretrained(configs, subfolder="scheduler"),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    ).to(placement.dtype)
    pipeline = place_pipeline(pipeline, placement, LoadOptions())
    return LoadedModel(pipeline, "sd15-random-weights", str(configs), placement, SD1)


def _sdxl_random_model():
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    from sdstudio.engine.devices import resolve_device
    from sdstudio.engine.models.families import SDXL
    from sdstudio.engine.models.families.config_files import (
        family_config_dir,
        load_clip_tokenizer,
    )
    from sdstudio.engine.models.families.sdxl import PAD_TOKENS
    from sdstudio.engine.models.load_options import LoadOptions
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.models.placement import place_pipeline

    configs = family_config_dir(SDXL)
    placement = resolve_device("cuda")
    torch.manual_seed(0)
    with torch.device("cuda"):
        unet = UNet2DConditionModel.from_config(
            UNet2DConditionModel.load_config(configs, subfolder="unet")
        )
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(configs, subfolder="vae"))
        text_encoder = CLIPTextModel(
            CLIPTextConfig.from_pretrained(configs, subfolder="text_encoder")
        )
        text_encoder_2 = CLIPTextModelWithProjection(
            CLIPTextConfig.from_pretrained(configs, subfolder="text_encoder_2")
        )
    pipeline = StableDiffusionXLPipeline(
        vae=vae.eval(),
        text_encoder=text_encoder.eval(),
        text_encoder_2=text_encoder_2.eval(),
        **{name: load_clip_tokenizer(pad) for name, pad in PAD_TOKENS.items()},
        unet=unet.eval(),
        scheduler=EulerDiscreteScheduler.from_pretrained(configs, subfolder="scheduler"),
        add_watermarker=False,
    ).to(placement.dtype)
    pipeline = place_pipeline(pipeline, placement, LoadOptions())
    return LoadedModel(pipeline, "sdxl-random-weights", str(configs), placement, SDXL)


def _tiny_sdxl_model():
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sdstudio.engine.models.loading import load_model
    from tests.random_sdxl_model import build_random_sdxl_pipeline

    folder = Path(tempfile.mkdtemp(prefix="sdstudio-bench-sdxl-")) / "tiny-sdxl"
    build_random_sdxl_pipeline().save_pretrained(folder)
    return load_model(str(folder), device="cpu")


def _tiny_model():
    from sdstudio.engine.models.loading import load_model

    return load_model("demo", device="cpu")


def _print_setup(model, args: argparse.Namespace) -> None:
    import diffusers
    import torch

    device = model.placement.device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(
        f"{model.name} on {name}: {args.size}x{args.size}, {args.steps} steps, CFG on, "
        f"unet {str(model.pipeline.unet.dtype).removeprefix('torch.')}; "
        f"torch {torch.__version__}, diffusers {diffusers.__version__}, "
        f"python {sys.version.split()[0]}"
    )


def _channels_last(pipe) -> None:
    import torch

    pipe.unet.to(memory_format=torch.channels_last)
    pipe.vae.to(memory_format=torch.channels_last)


def _compiler(mode: str) -> Callable[[Any], None]:
    def compile_unet(pipe) -> None:
        import torch

        _channels_last(pipe)
        pipe.unet = torch.compile(pipe.unet, mode=mode, fullgraph=False)

    return compile_unet


def _measure(model, args: argparse.Namespace) -> tuple[float, float]:
    """Median it/s of our loop and of diffusers' pipeline, after one warm-up run of each."""
    import torch
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.events import StepEvent
    from sdstudio.engine.generation.request import GenerationRequest

    request = GenerationRequest(
        "a lighthouse on a cliff at sunset, oil painting",
        negative_prompt="blurry",
        steps=args.steps,
        width=args.size,
        height=args.size,
        seed=1,
    )
    pipeline_class = StableDiffusionXLPipeline if args.sdxl else StableDiffusionPipeline
    reference = pipeline_class(**model.pipeline.components)
    reference.set_progress_bar_config(disable=True)
    synchronize = torch.cuda.synchronize if model.placement.device.type == "cuda" else _no_op

    def ours() -> list[float]:
        stamps = []
        for event in generate(model, request):
            if isinstance(event, StepEvent):
                synchronize()
                stamps.append(time.perf_counter())
        return stamps

    def theirs() -> list[float]:
        stamps: list[float] = []

        def on_step(pipe, step, timestep, kwargs):
            synchronize()
            stamps.append(time.perf_counter())
            return kwargs

        reference(
            request.prompt,
            negative_prompt=request.negative_prompt,
            num_inference_steps=request.steps,
            width=request.width,
            height=request.height,
            generator=torch.Generator("cpu").manual_seed(request.seed),
            output_type="latent",  # the VAE is not part of it/s (and runs in fp32 here)
            callback_on_step_end=on_step,
        )
        return stamps

    ours(), theirs()  # warm-up (and compilation)
    our_rates, their_rates = [], []
    for _ in range(args.runs):
        our_rates.append(_rate(ours()))
        their_rates.append(_rate(theirs()))
    return statistics.median(our_rates), statistics.median(their_rates)


def _rate(stamps: list[float]) -> float:
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def _no_op() -> None:
    pass


if __name__ == "__main__":
    raise SystemExit(main())
