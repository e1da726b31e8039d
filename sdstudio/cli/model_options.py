"""``sdstudio generate``'s model options and the download progress it prints on stderr.

A hub id (``owner/name``) is downloaded only with ``--allow-download``; without it, it loads
only when already in the Hugging Face cache, so a typo never starts a multi-gigabyte download.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from sdstudio.engine.models.load_options import LoadOptions, PredictionType
from sdstudio.engine.models.load_progress import LoadProgress, LoadStage

MODEL_HELP = (
    "'demo' (default), a diffusers model folder, a .safetensors checkpoint, or a Hugging Face "
    "hub id such as stable-diffusion-v1-5/stable-diffusion-v1-5 (see --allow-download)"
)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model loading")
    group.add_argument(
        "--allow-download",
        action="store_true",
        help="download a hub id into the Hugging Face cache if it is not there yet",
    )
    group.add_argument("--attention-slicing", action="store_true", help="less memory, slower")
    group.add_argument("--vae-tiling", action="store_true", help="decode large images in tiles")
    group.add_argument(
        "--cpu-offload", action="store_true", help="keep idle components in RAM (CUDA only)"
    )
    group.add_argument(
        "--vae",
        type=Path,
        default=None,
        metavar="PATH",
        help="a VAE to use instead of the model's own: a diffusers folder or a .safetensors "
        "file (e.g. an fp16-fix VAE, vae-ft-mse-840000)",
    )
    group.add_argument(
        "--prediction-type",
        choices=[kind.value for kind in PredictionType],
        default=None,
        help="override what a .safetensors checkpoint predicts (SD 2.x files default to v)",
    )


def load_options(args: argparse.Namespace) -> LoadOptions:
    prediction = args.prediction_type
    return LoadOptions(
        attention_slicing=args.attention_slicing,
        vae_tiling=args.vae_tiling,
        cpu_offload=args.cpu_offload,
        allow_download=args.allow_download,
        prediction_type=PredictionType(prediction) if prediction else None,
        vae=args.vae.expanduser() if args.vae else None,
    )


class DownloadProgressPrinter:
    """Prints download progress: a live line on a terminal, a line every 10% otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._last_tenth = -1
        self._last_redraw = 0.0
        self._downloading = False

    def __call__(self, progress: LoadProgress) -> None:
        if progress.stage is not LoadStage.DOWNLOADING:
            if self._downloading and self._live:
                print(file=self._stream, flush=True)  # end the live line
            self._downloading = False
            return
        self._downloading = True
        line = _describe(progress)
        if self._live:
            now = time.monotonic()
            if now - self._last_redraw >= 0.2 or progress.fraction == 1.0:
                self._last_redraw = now
                print(f"\r{line}\033[K", end="", file=self._stream, flush=True)
            return
        tenth = int((progress.fraction or 0.0) * 10)
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            print(line, file=self._stream, flush=True)

    @property
    def _live(self) -> bool:
        return self._stream.isatty()


def _describe(progress: LoadProgress) -> str:
    if progress.done is None:
        return progress.message
    done = f"{progress.done / 1e9:.2f}"
    if not progress.total:
        return f"{progress.message}: {done} GB"
    fraction = progress.fraction or 0.0
    return f"{progress.message}: {done} / {progress.total / 1e9:.2f} GB ({fraction:.0%})"
