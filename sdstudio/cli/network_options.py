"""``--lora``, ``--lora-dir`` and ``--embeddings-dir``: LoRAs and embeddings from the command
line, on top of the ``<lora:NAME:WEIGHT>`` tags and embedding names a prompt may hold."""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.networks.selection import NetworkFolders


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lora",
        action="append",
        default=[],
        metavar="NAME_OR_PATH[:WEIGHT]",
        help="apply a LoRA (a name in the LoRA folders or a .safetensors path), as the tag "
        "<lora:NAME:WEIGHT> in the prompt would; repeatable",
    )
    parser.add_argument(
        "--lora-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also look for LoRAs here (before SDSTUDIO_HOME/models/loras); repeatable",
    )
    parser.add_argument(
        "--embeddings-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also look for embeddings here (before SDSTUDIO_HOME/models/embeddings)",
    )


def with_networks(
    request: GenerationRequest, args: argparse.Namespace
) -> tuple[GenerationRequest, NetworkFolders]:
    """The request with a tag per ``--lora`` added to its prompt (so the saved infotext
    names them, as A1111's does), and the folders to search."""
    lora_dirs = [Path(folder).expanduser() for folder in args.lora_dir]
    tags = []
    for given in args.lora:
        name, weight = _name_and_weight(given)
        path = Path(name).expanduser()
        if path.suffix.lower() == ".safetensors":
            if not path.is_file():
                raise RequestError(f"--lora {given}: no such file {path}")
            lora_dirs.insert(0, path.parent)
            name = path.stem
        tags.append(f"<lora:{name}:{weight:g}>")
    folders = NetworkFolders(
        loras=tuple(lora_dirs),
        embeddings=tuple(Path(folder).expanduser() for folder in args.embeddings_dir),
    )
    if not tags:
        return request, folders
    prompt = " ".join([request.prompt, *tags]).strip()
    return dataclasses.replace(request, prompt=prompt), folders


def _name_and_weight(given: str) -> tuple[str, float]:
    name, colon, weight = given.rpartition(":")
    if colon and name and not weight.startswith(("\\", "/")):
        try:
            number = float(weight)
        except ValueError:
            return given, 1.0
        if not math.isfinite(number):  # NaN weights make a black picture
            raise RequestError(f"--lora {given}: the weight must be a finite number")
        return name, number
    return given, 1.0


def long_prompt_notes(counter, request: GenerationRequest) -> list[str]:
    """A line for each prompt that spans several 75-token chunks (they are read in full)."""
    notes = []
    for label, text in (("prompt", request.prompt), ("negative prompt", request.negative_prompt)):
        length = counter.count(text)
        if length.chunks > 1:
            notes.append(
                f"the {label} has {length.tokens} tokens, read in {length.chunks} chunks of 75 "
                "(as A1111 reads long prompts; nothing is cut off)"
            )
    return notes
