"""Write packaging/smoke-lora.safetensors: a small kohya-format LoRA for the demo model, so
packaging/smoke.sh can check that the frozen app applies LoRAs (diffusers' PEFT backend must
be inside it). Deterministic; run it again only if the demo model's layers change.

    python packaging/make_smoke_lora.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from sdstudio.engine.models.loading import load_model
    from tests.networks_fixtures import write_kohya_lora

    model = load_model("demo", device="cpu")
    path = write_kohya_lora(model.pipeline, ROOT / "packaging" / "smoke-lora.safetensors")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
