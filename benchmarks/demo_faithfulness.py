"""How faithfully a trained demo model draws what its prompt asks, judged from the pixels.

Generates fixed prompts of the shapes world through sdstudio's own loop and prints, per
attribute (background, colour, shape, position), how often the picture shows what was asked;
then the loop's time for one picture and the size of the weights.

    python benchmarks/demo_faithfulness.py [MODEL_FOLDER] [--prompts 50] [--steps 20] [--cfg 7]

Without a folder it measures the shipped demo model. The scenes are the grammar's: a position
or a background is named only sometimes, as in the faithfulness test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.shapes_judge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "model", nargs="?", default="demo", help="a diffusers folder written by train-demo"
    )
    parser.add_argument("--prompts", type=int, default=50)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--cfg", type=float, default=7.0)
    parser.add_argument("--save", type=Path, help="also write the pictures into this folder")
    args = parser.parse_args()

    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.events import ImageFinished
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model
    from sdstudio.training.world import prompt_for
    from tests.shapes_judge import accuracy_report, grammar_scenes, judge

    model = load_model(args.model, device="cpu")
    verdicts: list[dict[str, bool]] = []
    times: list[float] = []
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    for index, scene in enumerate(grammar_scenes(args.prompts)):
        prompt = prompt_for(scene)
        request = GenerationRequest(
            prompt, seed=index, steps=args.steps, cfg_scale=args.cfg, width=128, height=128
        )
        started = time.perf_counter()
        (image,) = [e.image for e in generate(model, request) if isinstance(e, ImageFinished)]
        times.append(time.perf_counter() - started)
        verdict = judge(image, scene)
        verdicts.append(verdict)
        wrong = [name for name, right in verdict.items() if not right]
        print(f"{prompt:55s} {'ok' if not wrong else 'wrong: ' + ', '.join(wrong)}")
        if args.save:
            image.save(args.save / f"{index:02d}.png")

    print()
    print(accuracy_report(verdicts).replace(", ", "\n"))
    every = sum(all(verdict.values()) for verdict in verdicts)
    print(f"pictures right in every check: {every}/{len(verdicts)}")
    warm = times[1:] or times
    print(f"loop, 128x128, {args.steps} steps, CFG: median {statistics.median(warm):.3f} s")
    weights = sum(p.stat().st_size for p in Path(model.source).rglob("*.safetensors"))
    print(f"weights: {weights / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
