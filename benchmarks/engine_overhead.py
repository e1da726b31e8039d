"""Our denoising loop against diffusers' pipeline on the demo model, in one process.

Runs alternate (ours, diffusers, ours, ...) so machine noise hits both alike; prints the median
wall-time ratio ours/diffusers (goal <= 1.02) and the absolute demo time (goal <= 5 s).
``--sdxl`` runs the tiny SDXL-shaped model of the tests instead (two text encoders, pooled
embedding and size ids) against ``StableDiffusionXLPipeline``.

    python benchmarks/engine_overhead.py [--repeats 5] [--size 512] [--steps 20] [--sdxl]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--sdxl", action="store_true", help="the tiny SDXL-shaped model")
    args = parser.parse_args()

    import os

    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    import torch
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    if args.threads:
        # One thread per process is steadier on a busy machine, where a pool waits for cores.
        torch.set_num_threads(args.threads)

    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model

    if args.sdxl:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.random_sdxl_model import build_random_sdxl_pipeline

        folder = Path(tempfile.mkdtemp(prefix="sdstudio-bench-sdxl-")) / "tiny-sdxl"
        build_random_sdxl_pipeline().save_pretrained(folder)
        model = load_model(str(folder), device="cpu")
        reference = StableDiffusionXLPipeline(**model.pipeline.components)
    else:
        model = load_model("demo", device="cpu")
        reference = StableDiffusionPipeline(**model.pipeline.components)
    reference.set_progress_bar_config(disable=True)
    request = GenerationRequest(
        "a lighthouse on a cliff at sunset",
        negative_prompt="blurry",
        steps=args.steps,
        width=args.size,
        height=args.size,
        seed=1,
    )

    def ours() -> None:
        for _ in generate(model, request):
            pass

    def theirs() -> None:
        reference(
            request.prompt,
            negative_prompt=request.negative_prompt,
            num_inference_steps=request.steps,
            width=request.width,
            height=request.height,
            generator=torch.Generator("cpu").manual_seed(request.seed),
        )

    ours(), theirs()  # warm-up
    our_times, their_times = [], []
    for _ in range(args.repeats):
        for runner, times in ((ours, our_times), (theirs, their_times)):
            start = time.perf_counter()
            runner()
            times.append(time.perf_counter() - start)
    ratios = [mine / ref for mine, ref in zip(our_times, their_times, strict=True)]
    threads = torch.get_num_threads()
    name = "tiny SDXL" if args.sdxl else "demo"
    print(f"{name} {args.size}x{args.size}, {args.steps} steps, torch threads {threads}")
    print(f"ours      median {statistics.median(our_times):.3f} s  (goal <= 5 s)")
    print(f"diffusers median {statistics.median(their_times):.3f} s")
    print(f"ratio ours/diffusers median {statistics.median(ratios):.3f}  (goal <= 1.02)")
    print(f"ratio of best times {min(our_times) / min(their_times):.3f}")


if __name__ == "__main__":
    main()
