"""What live previews cost: each preview kind, decoding every step, against no previews.

Demo model, 512x512, 20 steps, one process. Each round runs every kind once, in a rotated
order so machine noise hits all kinds alike; the ratio kind/none is taken within a round and
the median over rounds is printed with absolute times, plus the best-of ratio (fastest run
of each kind, robust to bursts of load from other processes) and the in-run ratio (run time
over run time minus the time spent decoding previews, immune to run-to-run noise).
Goals: latent <= 1.03, taesd <= 1.15 (a random AutoencoderTiny with TAESD's real config);
vae is printed as a reference.
Also prints the latent map's fit time and quality (PSNR, correlation vs the true decode).

    python benchmarks/preview_overhead.py [--rounds 5] [--size 512] [--steps 20] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("none", "latent", "taesd", "vae")


@dataclass
class Run:
    """One generation: wall time, time spent decoding previews, and its step events."""

    wall: float = 0.0
    decoding: float = 0.0
    steps: list = field(default_factory=list)


GOALS = {"latent": 1.03, "taesd": 1.15}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads (0: torch's default); 1 keeps a "
        "shared, oversubscribed CPU from stalling torch's thread pool",
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sdstudio-bench-"))
    os.environ["SDSTUDIO_HOME"] = str(home)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.events import StepEvent
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model
    from sdstudio.engine.previews import PreviewSettings, create_preview_decoder
    from sdstudio.engine.previews.extension import PreviewExtension

    model = load_model("demo", device="cpu")
    taesd_dir = home / "taesd"
    from diffusers import AutoencoderTiny

    torch.manual_seed(0)
    AutoencoderTiny().save_pretrained(taesd_dir)

    start = time.perf_counter()
    settings = {kind: PreviewSettings(kind=kind, taesd_path=str(taesd_dir)) for kind in KINDS}
    decoders = {kind: create_preview_decoder(model, settings[kind]) for kind in KINDS}
    print(f"decoders ready in {time.perf_counter() - start:.2f} s (includes the latent fit)")
    request = GenerationRequest(
        prompt="a lighthouse at dusk", steps=args.steps, seed=11, width=args.size, height=args.size
    )
    preview_sizes: dict[str, set[tuple[int, int]]] = {kind: set() for kind in KINDS}

    class TimedDecoder:
        """The kind's decoder, timed, so the in-run share of decoding can be reported."""

        def __init__(self, kind: str, result: Run) -> None:
            self._decoder, self._kind, self._result = decoders[kind], kind, result

        def decode(self, event):
            decode_start = time.perf_counter()
            picture = self._decoder.decode(event)
            self._result.decoding += time.perf_counter() - decode_start
            preview_sizes[self._kind].add(picture.size)
            return picture

    def run(kind: str) -> Run:
        """One generation with previews as the app makes them: the loop's preview extension."""
        result = Run()
        extensions = []
        if decoders[kind] is not None:
            extensions = [PreviewExtension(TimedDecoder(kind, result), settings[kind])]
        start = time.perf_counter()
        for event in generate(model, request, extensions=extensions):
            if isinstance(event, StepEvent):
                result.steps.append(event)
        result.wall = time.perf_counter() - start
        return result

    run("none")  # warm-up: first-call allocations and kernel selection
    runs: dict[str, list[Run]] = {kind: [] for kind in KINDS}
    ratios: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for index in range(args.rounds):
        order = KINDS[index % len(KINDS) :] + KINDS[: index % len(KINDS)]
        this_round = {kind: run(kind) for kind in order}
        for kind in KINDS:
            runs[kind].append(this_round[kind])
            ratios[kind].append(this_round[kind].wall / this_round["none"].wall)
        print(f"round {index + 1}: " + "  ".join(f"{k} {this_round[k].wall:.2f}s" for k in KINDS))

    threads = torch.get_num_threads()
    print(f"\n{args.size}x{args.size}, {args.steps} steps, {args.rounds} rounds, {threads} threads")
    best_none = min(item.wall for item in runs["none"])
    for kind in KINDS:
        ratio = statistics.median(ratios[kind])
        goal = GOALS.get(kind)
        verdict = (
            "" if goal is None else f"  goal <= {goal:.2f}: {'met' if ratio <= goal else 'MISSED'}"
        )
        best = min(item.wall for item in runs[kind]) / best_none
        in_run = statistics.median(item.wall / (item.wall - item.decoding) for item in runs[kind])
        sizes = ", ".join(f"{w}x{h}" for w, h in sorted(preview_sizes[kind])) or "-"
        print(
            f"{kind:>6}: median {statistics.median(item.wall for item in runs[kind]):6.2f} s"
            f"  ratio {ratio:.3f} (best-of {best:.3f}, in-run {in_run:.3f})"
            f"  previews {sizes}{verdict}"
        )
    _report_fit(model, run("none"))


def _report_fit(model, finished_run) -> None:
    """Fit quality on held-out latents (from the fit) and on this run's real x0 estimates."""
    from sdstudio.engine.models.families import SD1
    from sdstudio.engine.previews import latent_fit
    from sdstudio.engine.previews.latent_rgb import published_map

    fit = latent_fit.latent_fit_for(model)
    print(f"\nlatent fit, held-out latents: PSNR {fit.psnr:.2f} dB, corr {fit.correlation:.3f}")
    steps = finished_run.steps
    vae = model.pipeline.vae
    import torch

    x0 = torch.cat([event.x0 for event in steps])
    truth = latent_fit.decode_at_latent_resolution(vae, x0, model.pipeline.vae_scale_factor)
    for label, rgb_map in (("fitted", fit.rgb_map), ("published SD 1.x", published_map(SD1))):
        psnr, corr = latent_fit.fit_quality(rgb_map, x0, truth)
        print(f"  {label:>16} on this run's x0 (all steps): PSNR {psnr:.2f} dB, corr {corr:.3f}")
    timed = time.perf_counter()
    latent_fit.fit_latent_map(vae, model.pipeline.vae_scale_factor)
    print(f"  a fresh fit takes {time.perf_counter() - timed:.2f} s (warm)")


if __name__ == "__main__":
    main()
