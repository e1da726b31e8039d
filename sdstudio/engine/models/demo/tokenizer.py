"""Generate the demo model's CLIP tokenizer files (vocab.json, merges.txt) from code.

The demo must work offline, so instead of shipping OpenAI's vocabulary we learn a small
byte-level BPE from a fixed word list, in CLIP's file format, deterministically.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

START_TOKEN = "<|startoftext|>"
END_TOKEN = "<|endoftext|>"
MERGE_COUNT = 400

_CORPUS = """
a an the of and with in on at by for from to under over into portrait photo photograph painting
drawing sketch illustration render digital art artwork concept landscape cityscape seascape sky
cloud clouds sunset sunrise night day morning evening light lights lighting shadow shadows glow
mountain mountains river lake sea ocean beach forest tree trees flower flowers garden field grass
city street building buildings castle house tower bridge road car train ship boat plane robot
cat cats dog dogs bird birds horse fox wolf dragon lion tiger bear fish owl rabbit deer
man woman girl boy child people person face eyes hair smile hands astronaut knight wizard
red orange yellow green blue purple pink black white gray grey gold golden silver colorful
bright dark soft sharp detailed highly intricate beautiful cinematic dramatic epic moody
realistic photorealistic stylized anime cartoon watercolor oil pastel ink pencil charcoal
studio bokeh depth focus lens wide angle closeup close up shot view aerial macro
high quality resolution masterpiece best trending artstation octane unreal engine
blurry lowres low worst ugly deformed bad anatomy extra fingers text watermark signature
winter summer spring autumn snow rain fog mist storm fire water ice stone wood metal glass
ancient futuristic cyberpunk steampunk fantasy magic space planet stars galaxy moon sun
"""


def bytes_to_unicode() -> dict[int, str]:
    """CLIP's reversible byte-to-printable-character table (the byte-level BPE alphabet)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(code) for code in codes), strict=True))


def _learn_merges(words: list[str], merge_count: int) -> list[tuple[str, str]]:
    table = bytes_to_unicode()
    counts = Counter(words)
    pieces = {
        word: [table[b] for b in word.encode("utf-8")[:-1]] + [table[word.encode()[-1]] + "</w>"]
        for word in counts
    }
    merges: list[tuple[str, str]] = []
    for _ in range(merge_count):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, symbols in pieces.items():
            for pair in zip(symbols, symbols[1:], strict=False):
                pairs[pair] += counts[word]
        if not pairs:
            break
        # Most frequent first; ties broken alphabetically so the files never change.
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        for word, symbols in pieces.items():
            merged: list[str] = []
            index = 0
            while index < len(symbols):
                if index + 1 < len(symbols) and (symbols[index], symbols[index + 1]) == best:
                    merged.append(symbols[index] + symbols[index + 1])
                    index += 2
                else:
                    merged.append(symbols[index])
                    index += 1
            pieces[word] = merged
    return merges


@lru_cache(maxsize=1)
def demo_vocabulary() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The demo's vocab (token -> id) and merge list, laid out the way CLIP's files are."""
    return vocabulary_for(tuple(_CORPUS.split()), MERGE_COUNT)


def vocabulary_for(
    corpus: tuple[str, ...], merge_count: int
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The vocab and merges learnt from ``corpus`` (lower-case words); with enough merges
    every word of the corpus becomes one token."""
    merges = _learn_merges(list(corpus), merge_count)
    alphabet = list(bytes_to_unicode().values())
    tokens = alphabet + [char + "</w>" for char in alphabet]
    tokens += ["".join(pair) for pair in merges]
    tokens += [START_TOKEN, END_TOKEN]
    vocab: dict[str, int] = {}
    for token in tokens:
        vocab.setdefault(token, len(vocab))
    return vocab, merges


def write_tokenizer_files(
    folder: Path,
    model_max_length: int = 77,
    vocabulary: tuple[dict[str, int], list[tuple[str, str]]] | None = None,
) -> None:
    """Write a CLIPTokenizer-loadable folder: the demo's vocabulary unless one is given."""
    vocab, merges = vocabulary or demo_vocabulary()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merge_lines = ["#version: 0.2"] + [f"{left} {right}" for left, right in merges]
    (folder / "merges.txt").write_text("\n".join(merge_lines) + "\n", encoding="utf-8")
    config = {
        "tokenizer_class": "CLIPTokenizer",
        "model_max_length": model_max_length,
        "bos_token": START_TOKEN,
        "eos_token": END_TOKEN,
        "unk_token": END_TOKEN,
        "pad_token": END_TOKEN,
        "do_lower_case": True,
        "clean_up_tokenization_spaces": True,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    special = {"bos_token": START_TOKEN, "eos_token": END_TOKEN}
    special |= {"unk_token": END_TOKEN, "pad_token": END_TOKEN}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2), encoding="utf-8")
