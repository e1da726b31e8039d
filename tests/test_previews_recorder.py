"""The last run's previews stay in memory (bounded) and export as a GIF or WebP clip."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.engine.previews import PreviewError, PreviewRecorder


def _frame(step: int) -> Image.Image:
    return Image.new("RGB", (8, 8), (step * 20 % 256, 255 - step * 10 % 256, step * 7 % 256))


def _recorded(steps: int, max_frames: int = 200) -> PreviewRecorder:
    recorder = PreviewRecorder(max_frames=max_frames)
    for step in range(1, steps + 1):
        recorder.add(step, _frame(step))
    return recorder


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_animation_has_one_frame_per_recorded_step(tmp_path: Path, suffix: str) -> None:
    path = _recorded(6).export_animation(tmp_path / f"clip{suffix}")
    with Image.open(path) as clip:
        assert clip.n_frames == 6


def test_small_previews_are_scaled_to_the_largest_frame(tmp_path: Path) -> None:
    recorder = _recorded(2)
    recorder.add(3, Image.new("RGB", (64, 64), "white"))
    with Image.open(recorder.export_animation(tmp_path / "clip.gif")) as clip:
        assert clip.size == (64, 64)


def test_a_full_recorder_keeps_the_first_and_last_steps() -> None:
    steps = [step for step, _ in _recorded(50, max_frames=10).frames]
    assert len(steps) <= 10
    assert (steps[0], steps[-1]) == (1, 50)


def test_clear_forgets_the_previous_run() -> None:
    recorder = _recorded(3)
    recorder.clear()
    assert recorder.frames == []


def test_other_formats_are_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match=r"\.gif or \.webp"):
        _recorded(2).export_animation(tmp_path / "clip.mp4")


def test_exporting_nothing_explains_why(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match="no previews"):
        PreviewRecorder().export_animation(tmp_path / "clip.gif")
