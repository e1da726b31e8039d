"""``sdstudio generate --prompts-file``: one picture per line, each line's options its own."""

from __future__ import annotations

from pathlib import Path

from sdstudio.cli import main
from sdstudio.engine.metadata.png_chunks import read_metadata

FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "7"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prompts.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_line_makes_its_picture_with_its_own_options(tmp_path: Path, capsys) -> None:
    prompts = _write(
        tmp_path,
        "# shapes\n"
        "a red circle\n"
        "\n"
        '--prompt "a blue square, on the left" --steps 3 --seed 5\n'
        "--prompt 'a green triangle' --cfg 4\n",
    )
    out = tmp_path / "out"
    args = ["generate", "--prompts-file", str(prompts), "--output-dir", str(out), *FAST]
    assert main(args) == 0
    paths = [Path(line) for line in capsys.readouterr().out.split()]
    records = [read_metadata(path).record for path in paths]
    assert [r.prompt for r in records] == [
        "a red circle",
        "a blue square, on the left",
        "a green triangle",
    ]
    assert [r.steps for r in records] == [2, 3, 2]
    assert [r.seed for r in records] == [7, 5, 7]
    assert [r.cfg_scale for r in records] == [7.0, 7.0, 4.0]


def test_a_bad_line_is_named_before_any_picture_is_made(tmp_path: Path, capsys) -> None:
    prompts = _write(tmp_path, "a red circle\n--prompt x --steps many\n")
    out = tmp_path / "out"
    args = ["generate", "--prompts-file", str(prompts), "--output-dir", str(out), *FAST]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert "prompts.txt line 2:" in error and "--steps" in error and "Traceback" not in error
    assert not out.exists()


def test_one_out_file_for_many_prompts_is_refused(tmp_path: Path, capsys) -> None:
    prompts = _write(tmp_path, "a red circle\na blue square\n")
    args = ["generate", "--prompts-file", str(prompts), "--out", str(tmp_path / "x.png"), *FAST]
    assert main(args) == 2
    assert "use --output-dir" in capsys.readouterr().err


def test_a_missing_prompts_file_or_prompt_is_a_message(tmp_path: Path, capsys) -> None:
    assert main(["generate", "--prompts-file", str(tmp_path / "nope.txt"), *FAST]) == 2
    assert "Prompts file not found" in capsys.readouterr().err
    assert main(["generate", *FAST]) == 2
    assert "--prompt is required" in capsys.readouterr().err
