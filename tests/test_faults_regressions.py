"""Faults that sdstudio withstands, kept covered so that no change brings them back: saves from
several processes at once and a save killed with SIGKILL, hostile safetensors headers,
decompression bombs, and text built to make parsers backtrack.

Covered elsewhere and not repeated here: a pickle checkpoint (``.ckpt``, ``.pt``, ``.bin``)
refused without its code running (``test_model_sources_single_file.py``,
``test_model_sources_folder.py``, ``test_faults_model_files.py``, ``test_networks_embeddings.py``,
``test_ui_model_picker.py``); a truncated checkpoint and a text file named ``.safetensors``
(``test_model_sources_single_file.py``); threads of one process saving at once
(``test_autosave.py``); an init image beyond a lowered bomb limit
(``test_faults_input_output.py``).

Writing them found six faults, fixed since: quadratic time in the attention parser (1 MB of
``)``, many unclosed or deeply nested brackets with text, a long run of spaces), in the
network-tag pattern (unclosed ``<lora:``) and in the refiner's hash suffix; and an empty LoRA
file that stopped a restore while hashing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main
from sdstudio.engine.errors import InitImageError, ModelLoadError, RequestError
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.engine.metadata import read_metadata
from sdstudio.engine.metadata.autosave import save_generation
from sdstudio.engine.metadata.png_chunks import ImageReadError, metadata_from_texts
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import restore_settings
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.loading import load_model
from sdstudio.engine.networks.embeddings import read_vectors
from sdstudio.engine.networks.file_info import network_info
from sdstudio.engine.networks.library import NetworkFile, NetworkKind
from sdstudio.engine.paths import loras_dir

REPOSITORY = Path(__file__).resolve().parents[1]
TEMPORARY_PREFIX = ".saving-"


def _python(code: str, *args: object, **options) -> subprocess.Popen:
    """A child Python running ``code`` from the repository, with this test's SDSTUDIO_HOME."""
    command = [sys.executable, "-c", code, *map(str, args)]
    return subprocess.Popen(command, cwd=REPOSITORY, text=True, **options)


# -- 1. Several processes saving into one folder at once ----------------------------------

SAVERS = (6, 12)  # the probe saw nothing lost or numbered twice with 6 to 12
SAVES_EACH = 3
SAVER = f"""
import sys, time
from pathlib import Path
from PIL import Image
from sdstudio.engine.metadata.autosave import save_generation
from sdstudio.engine.metadata.record import GenerationRecord

folder, seed, go = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
print("ready", flush=True)
while not go.exists():  # every saver starts at the same moment
    time.sleep(0.001)
for index in range({SAVES_EACH}):
    image = Image.new("RGB", (16, 16), (seed, index, 7))
    record = GenerationRecord(prompt="a fox", seed=seed, width=16, height=16)
    print(save_generation(image, record, folder), flush=True)
"""


@pytest.mark.parametrize("count", SAVERS)
def test_processes_saving_at_once_each_keep_every_image_under_its_own_number(
    tmp_path: Path, count: int
) -> None:
    folder, go = tmp_path / "outputs", tmp_path / "go"
    savers = [_python(SAVER, folder, seed, go, stdout=subprocess.PIPE) for seed in range(count)]
    for saver in savers:
        assert saver.stdout.readline().strip() == "ready"
    go.touch()
    saved: list[Path] = []
    for saver in savers:
        out, _ = saver.communicate(timeout=60)
        assert saver.returncode == 0
        saved += [Path(line) for line in out.split()]
    names = sorted(path.name for path in saved)
    assert len(set(names)) == count * SAVES_EACH
    assert sorted(os.listdir(folder)) == names  # none lost, no stray or .saving-* file
    assert len({name.split("-")[0] for name in names}) == len(names)  # no number twice
    colours = set()
    for path in saved:
        with Image.open(path) as image:
            colours.add(image.convert("RGB").getpixel((0, 0)))
        assert read_metadata(path).record.seed == int(path.stem.split("-")[1])
    assert colours == {(s, i, 7) for s in range(count) for i in range(SAVES_EACH)}


# -- 2. A save killed with SIGKILL ---------------------------------------------------------

LOOPING_SAVER = """
import sys
from pathlib import Path
import numpy as np
from PIL import Image
from sdstudio.engine.metadata.autosave import save_generation
from sdstudio.engine.metadata.record import GenerationRecord

folder, first = Path(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(first)
for seed in range(first, first + 100_000):  # noise: each PNG takes a while to write
    image = Image.fromarray(rng.integers(0, 256, (192, 192, 3), dtype=np.uint8))
    save_generation(image, GenerationRecord(prompt="x", seed=seed, width=192, height=192), folder)
    print(seed, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_save_killed_at_any_moment_never_leaves_a_partial_png(tmp_path: Path) -> None:
    folder = tmp_path / "outputs"
    delays = (0.0, 0.002, 0.005, 0.011, 0.023, 0.047)  # a save takes a few milliseconds
    for round_, delay in enumerate(delays):
        saver = _python(LOOPING_SAVER, folder, round_ * 100_000, stdout=subprocess.PIPE)
        assert saver.stdout.readline()  # one image saved: the loop is running
        time.sleep(delay)
        os.kill(saver.pid, signal.SIGKILL)
        saver.wait(timeout=30)
        assert saver.returncode == -signal.SIGKILL
    pictures = [path for path in folder.glob("*.png") if not path.name.startswith(".")]
    assert len(pictures) >= len(delays)
    for path in pictures:
        with Image.open(path) as image:
            image.verify()  # every chunk there, every checksum right
        with Image.open(path) as image:
            image.load()
        assert read_metadata(path).record is not None
    others = [p.name for p in folder.iterdir() if p not in pictures]
    assert all(name.startswith(TEMPORARY_PREFIX) for name in others)
    # The folder stays usable: the next save takes a new number.
    after = save_generation(Image.new("RGB", (8, 8)), GenerationRecord(prompt="x", seed=1), folder)
    assert int(after.name[:5]) > max(int(path.name[:5]) for path in pictures)


# -- 3. Hostile safetensors headers --------------------------------------------------------

_TENSOR = {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}


def _safetensors(header: bytes, declared_length: int | None = None) -> bytes:
    """A file of ``header`` and 16 bytes of data, its length field ``declared_length`` when
    given (the true length otherwise)."""
    length = len(header) if declared_length is None else declared_length
    return struct.pack("<Q", length) + header + bytes(16)


def _json(entries: dict) -> bytes:
    return json.dumps(entries).encode()


HOSTILE_SAFETENSORS = {
    "a header length larger than the file": _safetensors(
        _json({"model.diffusion_model.x": _TENSOR}), declared_length=10**12
    ),
    "a header that is not JSON": _safetensors(b"{'not': json, at all}"),
    "offsets outside the file": _safetensors(
        _json({"model.diffusion_model.x": {**_TENSOR, "data_offsets": [4096, 4112]}})
    ),
}
HOSTILE = pytest.mark.parametrize("blob", HOSTILE_SAFETENSORS.values(), ids=HOSTILE_SAFETENSORS)


@HOSTILE
def test_a_hostile_checkpoint_header_is_a_message(blob: bytes, tmp_path: Path, capsys) -> None:
    checkpoint = tmp_path / "hostile.safetensors"
    checkpoint.write_bytes(blob)
    with pytest.raises(ModelLoadError, match="hostile.safetensors is not a valid .safetensors"):
        load_model(str(checkpoint), device="cpu")
    assert main(["generate", "--prompt", "x", "--model", str(checkpoint)]) != 0
    err = capsys.readouterr().err
    assert "hostile.safetensors" in err and "Traceback" not in err


@HOSTILE
def test_a_hostile_header_in_a_model_folder_is_a_message(blob: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "hostile-model"
    shutil.copytree(demo_model_dir(), folder)
    (folder / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(blob)
    with pytest.raises(ModelLoadError, match="Could not load hostile-model"):
        load_model(str(folder), device="cpu")


@HOSTILE
def test_a_hostile_lora_or_embedding_header_is_a_message(blob: bytes, tmp_path: Path) -> None:
    path = tmp_path / "hostile.safetensors"
    path.write_bytes(blob)
    info = network_info(NetworkFile(NetworkKind.LORA, path))  # the panel's line for it
    assert info.problem.startswith("unreadable: not a valid .safetensors file")
    with pytest.raises(RequestError, match="'hostile' cannot be read safely"):
        read_vectors(NetworkFile(NetworkKind.EMBEDDING, path))


@pytest.mark.parametrize(
    "blob",
    [
        *HOSTILE_SAFETENSORS.values(),
        b"",  # an interrupted download: shorter than the header's length field
    ],
    ids=[*HOSTILE_SAFETENSORS, "an empty file"],
)
def test_restoring_hashes_a_hostile_lora_file_without_failing(blob: bytes) -> None:
    """A stranger's picture names a LoRA not here by name: every LoRA file here is hashed to
    find it under another name, a broken one among them."""
    (loras_dir() / "broken.safetensors").write_bytes(blob)
    infotext = (
        "a fox <lora:gone:0.8>\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, "
        'Lora hashes: "gone: 0123456789ab"'
    )
    restored = restore_settings(metadata_from_texts({"parameters": infotext}))
    assert restored.settings["prompt"] == "a fox <lora:gone:0.8>"
    assert any("'gone'" in note and "0123456789ab" in note for note in restored.skipped)


# -- 4. Decompression bombs ----------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb(path: Path, side: int = 100_000) -> Path:
    """A PNG of a few hundred bytes whose header claims ``side`` × ``side`` pixels (far past
    Pillow's limit), with A1111 parameters before its pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    text = b"parameters\0a cat\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"tEXt", text)
        + _png_chunk(b"IDAT", zlib.compress(bytes(64)))
        + _png_chunk(b"IEND", b"")
    )
    return path


def test_a_bomb_is_refused_as_an_init_image_with_a_message(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.png")
    assert 2 * Image.MAX_IMAGE_PIXELS < 100_000 * 100_000  # Pillow's real limit, not lowered
    with pytest.raises(InitImageError, match="bomb.png is too large: sdstudio opens pictures"):
        load_init_image(bomb)


def test_a_bomb_is_refused_when_reading_its_metadata(tmp_path: Path, capsys) -> None:
    bomb = _bomb(tmp_path / "bomb.png")
    with pytest.raises(ImageReadError, match=r"Could not read .*bomb\.png: .*decompression bomb"):
        read_metadata(bomb)
    assert main(["info", str(bomb)]) == 2
    err = capsys.readouterr().err
    assert "bomb.png" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


# -- 5. Text built to make parsers backtrack -----------------------------------------------

BOUND_S = 5.0  # generous: the linear cases take well under a second
ONE_MB = 1_000_000
ATTENTION = "from sdstudio.engine.prompts.attention_syntax import parse_attention as parse"
TAGS = "from sdstudio.engine.prompts.network_tags import without_network_tags as parse"
INFOTEXT = "from sdstudio.engine.metadata.infotext import parse_infotext as parse"
RESTORE = (
    "from sdstudio.engine.metadata.png_chunks import metadata_from_texts\n"
    "from sdstudio.engine.metadata.restore import restore_settings\n"
    "def parse(text): return restore_settings(metadata_from_texts({'parameters': text}))"
)
SETTINGS = "\\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, "


HOSTILE_TEXT = [
    pytest.param(INFOTEXT, f"'a' + ',' * 100_000 + '{SETTINGS}'", id="infotext: 100k commas"),
    pytest.param(INFOTEXT, f"'x{SETTINGS}' + ',' * 100_000", id="infotext: commas in settings"),
    pytest.param(INFOTEXT, f"'x{SETTINGS}' + 'a:' * 500_000", id="infotext: a: pairs"),
    pytest.param(INFOTEXT, f"'x{SETTINGS}A: ' + 'a: \"' * 300_000", id="infotext: open quotes"),
    pytest.param(INFOTEXT, "'Negative prompt:' * 60_000", id="infotext: negative labels"),
    pytest.param(INFOTEXT, f"'\\n' * {ONE_MB}", id="infotext: 1 MB of line breaks"),
    pytest.param(RESTORE, f"'x{SETTINGS}Size: ' + '1x' * 500_000", id="restore: a huge size"),
    pytest.param(RESTORE, f"'a' + ',' * 100_000 + '{SETTINGS}'", id="restore: 100k commas"),
    pytest.param(ATTENTION, f"'(' * {ONE_MB}", id="attention: 1 MB of ("),
    pytest.param(ATTENTION, f"'()' * {ONE_MB // 2}", id="attention: 1 MB of ()"),
    pytest.param(ATTENTION, f"'(' * {ONE_MB // 2} + ')' * {ONE_MB // 2}", id="attention: nested"),
    pytest.param(ATTENTION, f"'(a' * {ONE_MB // 4} + ')' * {ONE_MB // 4}", id="attention: deep"),
    pytest.param(ATTENTION, f"')' * {ONE_MB}", id="attention: 1 MB of )"),
    pytest.param(ATTENTION, f"'(a' * {ONE_MB // 2}", id="attention: unclosed ("),
    pytest.param(ATTENTION, f"' ' * {ONE_MB} + 'x'", id="attention: 1 MB of spaces"),
    pytest.param(TAGS, "'<lora:' * 160_000", id="tags: unclosed <lora:"),
    pytest.param(
        RESTORE,
        f"'x{SETTINGS}Refiner: \"' + ' ' * {ONE_MB} + 'x\"'",
        id="restore: refiner of spaces",
    ),
]


@pytest.mark.parametrize(("parser", "text"), HOSTILE_TEXT)
def test_hostile_text_is_parsed_quickly_and_without_an_error(parser: str, text: str) -> None:
    """In a child process, so a parser that backtracks for minutes is stopped at the bound."""
    code = f"{parser}\ntext = {text}\nparse(text)\nprint('parsed')"
    child = _python(code, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = child.communicate(timeout=BOUND_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail(f"not parsed within {BOUND_S:.0f} s")
    assert (child.returncode, out.strip()) == (0, "parsed"), err
