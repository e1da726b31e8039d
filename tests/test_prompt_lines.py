"""The prompts lines both the CLI's ``--prompts-file`` and the window's "Queue prompts" read."""

from __future__ import annotations

import pytest

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.prompt_lines import (
    line_parser,
    line_requests,
    line_settings,
    prompt_lines,
    read_prompts_text,
)

BASE = GenerationRequest("a base prompt", steps=20, seed=1, cfg_scale=7.0, width=64, height=64)


def test_a_line_sets_only_the_settings_it_names_by_their_schema_names() -> None:
    parser = line_parser()
    assert line_settings("a red circle", parser) == {"prompt": "a red circle"}
    assert line_settings("--prompt 'a cat' --steps 30 --seed 5 --cfg 4", parser) == {
        "prompt": "a cat",
        "steps": 30,
        "seed": 5,
        "cfg_scale": 4.0,
    }
    assert line_settings(
        '--negative "blurry" --no-pad-prompt-lengths --scheduler euler', parser
    ) == {
        "negative_prompt": "blurry",
        "pad_prompt_lengths": False,
        "scheduler": "Euler",
    }


def test_each_line_is_the_base_request_with_the_line_on_top() -> None:
    text = "# shapes\na red circle\n\n--prompt 'a blue square' --steps 3 --seed 5\n--cfg 4\n"
    requests = line_requests(lambda: BASE, text, "prompts.txt")
    assert [number for number, _ in requests] == [2, 4, 5]
    assert [(r.prompt, r.steps, r.seed, r.cfg_scale) for _, r in requests] == [
        ("a red circle", 20, 1, 7.0),
        ("a blue square", 3, 5, 7.0),
        ("a base prompt", 20, 1, 4.0),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ok\n--prompt x --steps many\n", "prompts.txt line 2: argument --steps: invalid int"),
        ("ok\n\n--prompt 'open\n", "prompts.txt line 3: cannot split the line into options"),
        ("--width 65\n", "prompts.txt line 1: width must be a positive multiple of 8"),
        ("--prompt ''\n", "prompts.txt line 1: no prompt"),
        ("--scheduler Nope\n", "prompts.txt line 1: Unknown scheduler"),
        ("# only a comment\n\n", "prompts.txt has no prompts"),
    ],
)
def test_a_bad_line_is_named_by_its_number(text: str, message: str) -> None:
    with pytest.raises(RequestError, match="^" + message.replace("(", r"\(")):
        line_requests(lambda: BASE, text, "prompts.txt")


def test_typed_text_names_a_bad_line_without_a_file_and_many_lines_are_bounded() -> None:
    with pytest.raises(RequestError, match=r"^Line 2: argument --seed"):
        line_requests(lambda: BASE, "a\n--seed x\n")
    with pytest.raises(RequestError, match="has 4 prompts; at most 3 at once"):
        prompt_lines("a\nb\nc\nd\n", "The text", max_lines=3)


def test_reading_a_file_refuses_missing_binary_and_too_large_ones(tmp_path) -> None:
    with pytest.raises(RequestError, match="Prompts file not found"):
        read_prompts_text(tmp_path / "nope.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"a\0b")
    with pytest.raises(RequestError, match="binary data"):
        read_prompts_text(binary)
    big = tmp_path / "big.txt"
    big.write_text("a cat\n" * 100, encoding="utf-8")
    with pytest.raises(RequestError, match="big.txt is 600 bytes"):
        read_prompts_text(big, max_bytes=100)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9\n")
    assert read_prompts_text(latin, errors="replace") == "caf\ufffd\n"
