#!/usr/bin/env bash
# Prove that the frozen app works offline, on its own: a fresh SDSTUDIO_HOME, HF_HUB_OFFLINE=1,
# run from an empty folder (and without a network at all where `unshare -rn` is allowed).
#
#   packaging/smoke.sh [path/to/frozen/sdstudio]      (default: dist/sdstudio/sdstudio)
#
# Checks: `sdstudio generate` (LMS, which needs scipy) writes a demo PNG whose `parameters`
# text chunk holds the prompt, seed, size and sampler; `sdstudio modules --arch sd15` prints
# the tree with the UNet's exact parameter total; the window opens offscreen and generates one
# image through its Generate button (`sdstudio --smoke-test`, sdstudio/ui/smoke_test.py); a
# LoRA tag applies packaging/smoke-lora.safetensors (diffusers' PEFT backend is frozen in);
# the demo inpainting model outpaints the first picture (`--outpaint`, `--model demo-inpainting`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

app="${1:-dist/sdstudio/sdstudio}"
if [ ! -x "$app" ]; then
    echo "smoke: no frozen app at $app (run packaging/build.sh first)" >&2
    exit 1
fi
app="$(cd "$(dirname "$app")" && pwd)/$(basename "$app")"
python="${PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SDSTUDIO_HOME="$work/home" HF_HOME="$work/hf" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export QT_QPA_PLATFORM=offscreen
unset PYTHONPATH PYTHONHOME
cd "$work"

offline=()
if unshare -rn true 2>/dev/null; then
    offline=(unshare -rn)
    echo "smoke: running without a network (unshare -rn)"
fi

step() {
    echo "smoke: $1"
    shift
    local start=$SECONDS
    "${offline[@]}" "$@"
    echo "smoke:   ok in $((SECONDS - start)) s"
}

prompt="a red circle on the left"
step "frozen sdstudio --version" "$app" --version

step "frozen sdstudio generate (the shipped demo model)" \
    "$app" generate --prompt "$prompt" --seed 7 --steps 4 \
    --scheduler LMS --out "$work/cli.png"
# The PNG's `parameters` text chunk, read with the standard library only.
"$python" - "$work/cli.png" "$prompt" <<'PY'
import struct
import sys
import zlib

path, prompt = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
texts, offset = {}, 8
while offset < len(data):
    (length,), kind = struct.unpack(">I", data[offset : offset + 4]), data[offset + 4 : offset + 8]
    body = data[offset + 8 : offset + 8 + length]
    offset += 12 + length
    if kind == b"tEXt":
        key, _, value = body.partition(b"\0")
        texts[key.decode("latin-1")] = value.decode("latin-1")
    elif kind == b"zTXt":
        key, _, value = body.partition(b"\0")
        texts[key.decode("latin-1")] = zlib.decompress(value[1:]).decode("latin-1")
    elif kind == b"iTXt":
        key, _, rest = body.partition(b"\0")
        compressed, rest = rest[0], rest[2:]
        _language, _, rest = rest.partition(b"\0")
        _translated, _, value = rest.partition(b"\0")
        texts[key.decode("latin-1")] = (zlib.decompress(value) if compressed else value).decode()
parameters = texts.get("parameters", "")
assert parameters.startswith(prompt), f"no parameters chunk with the prompt: {texts!r}"
for expected in ("Seed: 7", "Size: 128x128", "Sampler: LMS"):  # the demo's native size
    assert expected in parameters, f"no {expected!r} in {parameters!r}"
print("smoke:   parameters:", parameters.replace("\n", " | "))
PY

step "frozen sdstudio generate with a LoRA (diffusers' PEFT backend)" \
    "$app" generate --prompt "$prompt <lora:smoke-lora:0.8>" --seed 7 --steps 2 \
    --lora-dir "$root/packaging" --out "$work/lora.png"
"$python" - "$work/lora.png" <<'PY'
import sys

data = open(sys.argv[1], "rb").read()
assert b"Lora hashes" in data and b"smoke-lora: " in data, "the LoRA was not applied"
print("smoke:   the LoRA ran and its hash is in the parameters")
PY

step "frozen sdstudio generate --outpaint with the demo inpainting model" \
    "$app" generate --prompt "a red square on the left" --model demo-inpainting --seed 3 \
    --steps 4 --strength 1 --init "$work/cli.png" --outpaint 64,0,0,0 --out "$work/inpaint.png"
"$python" - "$work/inpaint.png" <<'PY'
import struct
import sys

data = open(sys.argv[1], "rb").read()
width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
assert (width, height) == (192, 128), (width, height)
assert b"Mask blur: 4" in data, "no inpainting fields in the parameters"
print("smoke:   outpainted to 192x128, Mask blur in the parameters")
PY

step "frozen sdstudio modules --arch sd15" \
    bash -c '"$1" modules --arch sd15 > "$2"' _ "$app" "$work/modules.txt"
grep -Eq '^unet +UNet2DConditionModel +859520964 parameters$' "$work/modules.txt"
grep -q '^\[UNet2DConditionModel\]  # 859520964 params$' "$work/modules.txt"
grep -q 'down_blocks' "$work/modules.txt"
echo "smoke:   UNet total 859520964, $(wc -l < "$work/modules.txt") lines of tree"

step "frozen GUI, offscreen: one demo image through the window" "$app" --smoke-test
if [ -z "$(find "$SDSTUDIO_HOME/outputs" -name '*.png' -size +0)" ]; then
    echo "smoke: the window saved no image under $SDSTUDIO_HOME/outputs" >&2
    exit 1
fi

echo "smoke: passed"
