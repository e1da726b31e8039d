"""Our denoising loop against diffusers' pipeline on the demo model, in one process.

Runs alternate (ours, diffusers, ours, ...) so machine noise hits both alike; prints the median
wall-time ratio ours/diffusers (goal <= 1.02) and the absolute demo time (goal <= 5 s).

    python benchmarks/engine_overhead.py [--repeats 5] [--size 512] [--steps 20]
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
    args = parser.parse_args()

    import os

    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    import torch
    from diffusers import StableDiffusionPipeline

    if args.threads:
        # One thread per process is steadier on a busy machine, where a pool waits for cores.
        torch.set_num_threads(args.threads)

    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model

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
    print(f"demo {args.size}x{args.size}, {args.steps} steps, torch threads {threads}")
    print(f"ours      median {statistics.median(our_times):.3f} s  (goal <= 5 s)")
    print(f"diffusers median {statistics.median(their_times):.3f} s")
    print(f"ratio ours/diffusers median {statistics.median(ratios):.3f}  (goal <= 1.02)")
    print(f"ratio of best times {min(our_times) / min(their_times):.3f}")


if __name__ == "__main__":
    main()
