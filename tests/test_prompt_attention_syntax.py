"""A1111's attention syntax, on the examples its own documentation gives."""

from __future__ import annotations

import pytest

from sdstudio.engine.prompts.attention_syntax import parse_attention


def _parsed(prompt: str) -> list[tuple[str, float]]:
    return [(piece.text, round(piece.weight, 6)) for piece in parse_attention(prompt)]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("normal text", [("normal text", 1.0)]),
        ("an (important) word", [("an ", 1.0), ("important", 1.1), (" word", 1.0)]),
        ("(unbalanced", [("unbalanced", 1.1)]),
        ("\\(literal\\]", [("(literal]", 1.0)]),
        ("(unnecessary)(parens)", [("unnecessaryparens", 1.1)]),
        (
            "a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
            [
                ("a ", 1.0),
                ("house", 1.573),
                (" ", 1.1),
                ("on", 1.0),
                (" a ", 1.1),
                ("hill", 0.55),
                (", sun, ", 1.1),
                ("sky", 1.4641),
                (".", 1.1),
            ],
        ),
    ],
)
def test_a1111s_documented_examples_parse_as_documented(prompt, expected) -> None:
    assert _parsed(prompt) == expected


def test_square_brackets_divide_by_1_1_and_nest() -> None:
    assert _parsed("[[faint]] x") == [("faint", round(1 / 1.21, 6)), (" x", 1.0)]


def test_an_explicit_weight_sets_its_brackets_factor() -> None:
    assert _parsed("(red:1.5) circle") == [("red", 1.5), (" circle", 1.0)]
    assert _parsed("((red:0.5))") == [("red", 0.55)]


def test_a_colon_without_a_weight_is_text() -> None:
    assert _parsed("ratio 16:9") == [("ratio 16:9", 1.0)]


def test_break_splits_the_prompt_and_keeps_its_place() -> None:
    assert _parsed("a cat BREAK (a hat)") == [
        ("a cat", 1.0),
        ("BREAK", -1),
        ("", 1.0),
        ("a hat", 1.1),
    ]


def test_break_inside_a_word_is_text() -> None:
    assert _parsed("BREAKFAST") == [("BREAKFAST", 1.0)]


def test_an_empty_prompt_is_one_empty_piece() -> None:
    assert _parsed("") == [("", 1.0)]
