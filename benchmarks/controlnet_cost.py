"""What one ControlNet unit costs: a demo run with it against the same run without it.

Demo model, 20 steps, Euler, one process. The ControlNet is the demo UNet's encoder copied by
diffusers' ``ControlNetModel.from_unet`` (diffusers' default control-image embedding), with
random weights: its cost is its architecture's, whatever it was trained to do. It is saved
and loaded as a user's would be (a diffusers folder), and loaded once before timing. Each
round runs both kinds in a rotated order, so machine noise hits both alike, each kind twice
and timed the second time: the steady cost of runs of one kind, without the one-off switch
(a plain job after a ControlNet one frees it, a ControlNet job after a plain one reads it
again). The median of the per-round ratios and the best-of ratio are printed with absolute
times.

A ControlNet runs a copy of the UNet's encoder half, plus an embedding of the control image
at full image resolution, at every UNet call. On the demo's tiny UNet that embedding costs
more than the UNet itself (docs/PERFORMANCE.md has the figures), so the ratio is higher than
it would be on an SD-sized UNet.

    python benchmarks/controlnet_cost.py [--rounds 5] [--size 128] [--steps 20] [--verbose]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--verbose", action="store_true", help="print each round's times")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sdstudio-bench-"))
    os.environ["SDSTUDIO_HOME"] = str(home)

    import torch
    from diffusers import ControlNetModel
    from PIL import Image, ImageDraw

    from sdstudio.engine.generation.controlnet.unit import ControlUnit
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.jobs.events import JobFailed
    from sdstudio.engine.jobs.job import Job, SaveOptions
    from sdstudio.engine.jobs.runner import run_job
    from sdstudio.engine.models.loading import load_model

    model = load_model("demo", device="cpu")
    torch.manual_seed(0)
    folder = home / "models" / "controlnet" / "demo-random"
    ControlNetModel.from_unet(model.pipeline.unet).save_pretrained(folder)

    control = Image.new("RGB", (args.size, args.size), "black")
    ImageDraw.Draw(control).ellipse((20, 20, args.size - 20, args.size - 20), outline="white")
    unit = ControlUnit(model=str(folder), image=control, weight=1.0)
    request = GenerationRequest(
        "a red circle on the left",
        steps=args.steps,
        width=args.size,
        height=args.size,
        seed=1,
        scheduler="Euler",
    )
    saving = SaveOptions(enabled=False)
    jobs = {
        "plain": Job(request, saving=saving),
        "controlnet": Job(request, saving=saving, controlnets=(unit,)),
    }

    def timed(kind: str) -> float:
        start = time.perf_counter()
        for event in run_job(model, jobs[kind]):
            if isinstance(event.payload, JobFailed):
                raise SystemExit(event.payload.message)
        return time.perf_counter() - start

    for kind in jobs:  # warm-up: first-run costs and the ControlNet's load are not timed
        timed(kind)
    times: dict[str, list[float]] = {kind: [] for kind in jobs}
    ratios = []
    order = list(jobs)
    for round_number in range(args.rounds):
        this_round = {}
        for kind in order[round_number % 2 :] + order[: round_number % 2]:
            timed(kind)  # untimed: a plain job after a ControlNet one first frees it
            this_round[kind] = timed(kind)
            times[kind].append(this_round[kind])
        ratios.append(this_round["controlnet"] / this_round["plain"])
        if args.verbose:
            shown = ", ".join(f"{kind} {seconds:.3f} s" for kind, seconds in this_round.items())
            print(f"round {round_number}: {shown}")

    print(
        f"demo {args.size}x{args.size}, {args.steps} steps, {args.rounds} rounds, "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}"
    )
    for kind, measured in times.items():
        median = statistics.median(measured)
        print(f"{kind:10s} median {median:6.3f} s  best {min(measured):6.3f} s")
    best = min(times["controlnet"]) / min(times["plain"])
    print(f"ratio      median {statistics.median(ratios):.3f}  best-of {best:.3f}")


if __name__ == "__main__":
    main()
