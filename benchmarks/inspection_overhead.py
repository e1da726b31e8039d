"""What watching a module and capturing attention maps cost, on the demo model.

Runs alternate (plain, watched, attention, plain, ...) so machine noise hits all alike, and
print the median ratio of each against plain generation, in wall time and in CPU time (the
process's own seconds, steadier than wall time on a shared machine):

- one watched module, pictured at every step (goal <= 1.10)
- cross-attention capture, with the overlay rendered for one token (goal <= 1.25)

    python benchmarks/inspection_overhead.py [--repeats 3] [--size 512] [--steps 20]
        [--module unet.down_blocks.1.attentions.0] [--view channels|pca] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--module", default="unet.down_blocks.1.attentions.0")
    parser.add_argument("--view", choices=["channels", "pca"], default="channels")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    args = parser.parse_args()

    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.events import ImageFinished
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model
    from sdstudio.engine.probes import (
        AttentionCapture,
        ModuleWatcher,
        ViewMode,
        ViewSettings,
        overlay_on,
    )
    from sdstudio.engine.probes.attention_extension import AttentionCaptureExtension
    from sdstudio.engine.probes.outputs import AttentionMaps
    from sdstudio.engine.probes.watch_extension import ModuleWatchExtension

    model = load_model("demo", device=args.device)
    request = GenerationRequest(
        "a red dragon over the sea at sunset",
        negative_prompt="blurry",
        steps=args.steps,
        width=args.size,
        height=args.size,
        seed=1,
    )
    settings = ViewSettings(mode=ViewMode(args.view))
    collect_seconds: list[float] = []

    def plain() -> None:
        for _ in generate(model, request):
            pass

    class TimedWatcher(ModuleWatcher):
        """The app's watcher, timing each step's pictures."""

        def collect(self, event):
            start = time.perf_counter()
            views = super().collect(event)
            collect_seconds.append(time.perf_counter() - start)
            return views

    def watched() -> None:
        watcher = TimedWatcher(model.pipeline, [args.module], request, settings)
        for _ in generate(model, request, extensions=[ModuleWatchExtension(watcher)]):
            pass

    def attention() -> None:
        capture = AttentionCaptureExtension(AttentionCapture(model.pipeline, request))
        maps = None
        for event in generate(model, request, extensions=[capture]):
            if isinstance(event, AttentionMaps):
                maps = event.maps
            elif isinstance(event, ImageFinished):
                overlay_on(event.image, maps.heat("dragon"))

    runners = {"plain": plain, "watched": watched, "attention": attention}
    for runner in runners.values():  # warm-up
        runner()
    collect_seconds.clear()
    wall: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, runner in runners.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            runner()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)

    print(
        f"demo {args.size}x{args.size}, {args.steps} steps, {args.device}, "
        f"torch threads {torch.get_num_threads()}, {args.repeats} rounds"
    )
    for name in runners:
        print(
            f"{name:<10} median wall {statistics.median(wall[name]):.3f} s, "
            f"cpu {statistics.median(cpu[name]):.3f} s"
        )
    for name, goal in (("watched", 1.10), ("attention", 1.25)):
        print(
            f"ratio {name}/plain median: wall {_median_ratio(wall, name):.3f}, "
            f"cpu {_median_ratio(cpu, name):.3f}  (goal <= {goal:.2f})"
        )
    per_step = statistics.median(collect_seconds) * 1000
    print(f"picture per step ({args.module}, {args.view}): median {per_step:.2f} ms")


def _median_ratio(times: dict[str, list[float]], name: str) -> float:
    pairs = zip(times[name], times["plain"], strict=True)
    return statistics.median(mine / base for mine, base in pairs)


if __name__ == "__main__":
    main()
