"""``sdstudio generate``'s preview options: per-step PNGs and a denoising animation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sdstudio.engine.previews.recorder import ANIMATION_SUFFIXES, export_animation
from sdstudio.engine.previews.settings import PreviewError, PreviewKind, PreviewSettings

if TYPE_CHECKING:
    from sdstudio.engine.jobs.events import ImageSaved
    from sdstudio.engine.previews.extension import PreviewImage


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
    """Checks the preview options, then writes the job's previews as PNGs and an animation."""

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

    def on_preview(self, preview: PreviewImage) -> None:
        if self._dir is not None:
            self._dir.mkdir(parents=True, exist_ok=True)
            preview.image.save(self._dir / _step_name(preview))

    def on_image(self, saved: ImageSaved) -> None:
        """The finished image's recorded frames become its animation."""
        if self._animation is None or not saved.frames:
            return
        path = export_animation(saved.frames, _numbered(self._animation, saved))
        print(f"animation: {path}", file=sys.stderr)


def _step_name(preview: PreviewImage) -> str:
    width = max(3, len(str(preview.total)))
    name = f"step-{preview.step:0{width}d}.png"
    return name if preview.batch_count == 1 else f"image-{preview.image_index + 1}-{name}"


def _numbered(path: Path, saved: ImageSaved) -> Path:
    if saved.batch_count == 1:
        return path
    return path.with_name(f"{path.stem}-{saved.image_index + 1}{path.suffix}")
