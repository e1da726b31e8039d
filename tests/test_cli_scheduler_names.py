"""The command line takes scheduler names in any case; infotext keeps A1111's spelling."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sdstudio.cli import main
from sdstudio.engine.generation.scheduler_names import canonical_scheduler_name
from tests.helpers import max_pixel_difference

FAST = ["--steps", "2", "--seed", "7", "--width", "64", "--height", "64"]


def test_a_lower_case_scheduler_makes_the_same_picture_with_the_canonical_name(
    tmp_path: Path,
) -> None:
    pictures = {}
    for spelling in ("euler a", "Euler a"):
        out = tmp_path / f"{spelling}.png"
        args = ["generate", "--prompt", "a red circle", "--scheduler", spelling, "--out", str(out)]
        assert main([*args, *FAST]) == 0
        pictures[spelling] = Image.open(out)
        pictures[spelling].load()
    assert "Sampler: Euler a," in pictures["euler a"].info["parameters"]
    assert max_pixel_difference(pictures["euler a"], pictures["Euler a"]) == 0


def test_scheduler_names_are_matched_ignoring_case_and_spacing() -> None:
    assert canonical_scheduler_name("dpm++ 2m  KARRAS") == "DPM++ 2M Karras"
    assert canonical_scheduler_name(" unipc ") == "UniPC"
    assert canonical_scheduler_name("default") == "Default"


def test_an_unknown_scheduler_is_still_refused_with_its_own_spelling(tmp_path, capsys) -> None:
    args = ["generate", "--prompt", "x", "--scheduler", "eular a", "--out", str(tmp_path / "a.png")]
    assert main(args) == 2
    assert "Unknown scheduler 'eular a'" in capsys.readouterr().err


def test_a_prompts_file_line_takes_a_lower_case_scheduler(tmp_path: Path) -> None:
    lines = tmp_path / "prompts.txt"
    lines.write_text('--prompt "a blue square" --scheduler "dpm++ 2m"\n', encoding="utf-8")
    out_dir = tmp_path / "out"
    args = ["generate", "--prompts-file", str(lines), "--output-dir", str(out_dir), *FAST]
    assert main(args) == 0
    (saved,) = out_dir.glob("*.png")
    with Image.open(saved) as image:
        assert "Sampler: DPM++ 2M," in image.info["parameters"]
