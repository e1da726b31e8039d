"""What A1111's conditioning costs against plain encoding (diffusers' ``encode_prompt``).

The same prompt through both, alternating, on CLIP text encoders of the demo's size and of
SD 1.5's (CLIP ViT-L, random weights); also a weighted prompt and a two-chunk one, which
plain encoding cannot read (it cuts at 77 tokens). Prints medians and the ratio to plain.

    python benchmarks/prompt_conditioning.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    import os

    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    import torch
    from transformers import CLIPTextConfig, CLIPTextModel

    from sdstudio.engine.models.families.conditioning import encode_text
    from sdstudio.engine.models.families.config_files import load_clip_tokenizer
    from sdstudio.engine.models.loading import load_model
    from sdstudio.engine.resources import resources_dir

    demo = load_model("demo", device="cpu").pipeline
    config = CLIPTextConfig.from_pretrained(
        resources_dir() / "model_configs" / "sd15" / "text_encoder"
    )
    vit_l = (load_clip_tokenizer("<|endoftext|>"), CLIPTextModel(config).eval())
    prompts = {
        "plain": "a red circle on the left on a white background",
        "weighted": "a (red:1.3) circle on the ((left)) on a [white] background",
        "two chunks": " ".join(["a red circle on the left"] * 16),
    }
    cpu = torch.device("cpu")
    for label, (tokenizer, encoder) in {
        "demo": (demo.tokenizer, demo.text_encoder),
        "SD 1.5 (CLIP ViT-L)": vit_l,
    }.items():

        def plain(text: str, tokenizer=tokenizer, encoder=encoder) -> None:
            ids = tokenizer(
                [text], padding="max_length", max_length=77, truncation=True, return_tensors="pt"
            ).input_ids
            encoder(ids)[0]

        def ours(text: str, tokenizer=tokenizer, encoder=encoder) -> None:
            encode_text(tokenizer, encoder, text, cpu)

        print(f"{label}:")
        with torch.inference_mode():
            for name, text in prompts.items():
                base, mine = [], []
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    plain(text)
                    base.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    ours(text)
                    mine.append(time.perf_counter() - start)
                b, m = statistics.median(base), statistics.median(mine)
                times = f"plain {b * 1000:7.2f} ms  A1111 {m * 1000:7.2f} ms"
                print(f"  {name:11s} {times}  ratio {m / b:.2f}")


if __name__ == "__main__":
    main()
