"""``sdstudio generate``'s preview options: per-step PNGs and a denoising animation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.previews.recorder import ANIMATION_SUFFIXES, PreviewRecorder
from sdstudio.engine.previews.settings import PreviewError, PreviewKind, PreviewSettings
from sdstudio.engine.previews.throttle import PreviewThrottle

if TYPE_CHECKING:
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.previews.decoder import PreviewDecoder


def add_preview_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("previews")
    group.add_argument(
        "--preview",
        choices=[kind.value for kind in PreviewKind],
        default=None,
        help="how steps are previewed (default: latent when --preview-dir or --animation is given)",
    )
    group.add_argument("--preview-every", type=int, default=1, metavar="N", help="every N steps")
    group.add_argument("--preview-dir", default=None, metavar="DIR", help="one PNG per step")
    group.add_argument(
        "--animation", default=None, metavar="FILE.gif|.webp", help="denoising animation"
    )
    group.add_argument(
        "--preview-noisy", action="store_true", help="show the noisy latents, not the estimate"
    )
    group.add_argument("--taesd", default=None, metavar="PATH", help="TAESD weights folder/file")


class CliPreviews:
    """Decodes the steps the settings select and writes them as PNGs and/or an animation."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Validates the options before any model is loaded."""
        self._dir = Path(args.preview_dir).expanduser() if args.preview_dir else None
        self._animation = Path(args.animation).expanduser() if args.animation else None
        if self._animation and self._animation.suffix.lower() not in ANIMATION_SUFFIXES:
            raise PreviewError(f"--animation must name a .gif or .webp file, got {args.animation}")
        wanted = self._dir is not None or self._animation is not None
        if args.preview not in (None, PreviewKind.NONE.value) and not wanted:
            raise PreviewError("--preview writes nothing without --preview-dir or --animation")
        if args.preview == PreviewKind.NONE.value and wanted:
            raise PreviewError("--preview-dir and --animation need a preview kind other than none")
        self.settings = PreviewSettings(
            kind=PreviewKind(args.preview or (PreviewKind.LATENT if wanted else PreviewKind.NONE)),
            every_n_steps=args.preview_every,
            show_noisy=args.preview_noisy,
            taesd_path=args.taesd,
        )
        if self.settings.kind is PreviewKind.TAESD:
            from sdstudio.engine.previews.taesd import resolve_taesd_path

            resolve_taesd_path(args.taesd)  # a missing file fails now, not after loading
        self._throttle = PreviewThrottle(self.settings)
        self._recorder = PreviewRecorder()
        self._decoder: PreviewDecoder | None = None

    def start(self, model: LoadedModel) -> None:
        """Builds the decoder (fitting the latent map on first use of a model)."""
        from sdstudio.engine.previews.factory import create_preview_decoder

        self._decoder = create_preview_decoder(model, self.settings)

    def on_step(self, event: StepEvent) -> None:
        if self._decoder is None or not self._throttle.should_preview(event):
            return
        image = self._decoder.decode(event)
        if self._dir is not None:
            self._dir.mkdir(parents=True, exist_ok=True)
            image.save(self._dir / _step_name(event))
        if self._animation is not None:
            self._recorder.add(event.step, image)
            if event.step == event.total:
                path = self._recorder.export_animation(_numbered(self._animation, event))
                print(f"animation: {path}", file=sys.stderr)
                self._recorder.clear()


def _step_name(event: StepEvent) -> str:
    width = max(3, len(str(event.total)))
    name = f"step-{event.step:0{width}d}.png"
    return name if event.batch_count == 1 else f"image-{event.image_index + 1}-{name}"


def _numbered(path: Path, event: StepEvent) -> Path:
    if event.batch_count == 1:
        return path
    return path.with_name(f"{path.stem}-{event.image_index + 1}{path.suffix}")
