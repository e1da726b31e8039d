"""A1111 infotext: hand-written strings parse to the values a person reads; any text parses."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from sdstudio.engine.metadata.infotext import (
    NEGATIVE_PREFIX,
    Infotext,
    format_infotext,
    parse_infotext,
    quote,
    unquote,
)

A1111_TEXT = (
    "masterpiece, a castle on a hill\n"
    "at sunset, (detailed:1.2)\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 3141592653, Size: 768x512, "
    'Model hash: 6ce0161689, Model: "v1-5, pruned: emaonly", '
    'Lora hashes: "add_detail: 7c6bad76eb54, style: 0a1b2c3d4e5f", Version: v1.9.4'
)


def test_a1111_prompt_keeps_its_lines_and_commas() -> None:
    assert (
        parse_infotext(A1111_TEXT).prompt
        == "masterpiece, a castle on a hill\nat sunset, (detailed:1.2)"
    )


def test_a1111_negative_prompt_is_read_without_its_label() -> None:
    assert parse_infotext(A1111_TEXT).negative_prompt == "blurry, lowres"


def test_a1111_quoted_values_are_unquoted() -> None:
    params = parse_infotext(A1111_TEXT).params
    assert params["Model"] == "v1-5, pruned: emaonly"
    assert params["Lora hashes"] == "add_detail: 7c6bad76eb54, style: 0a1b2c3d4e5f"


def test_a1111_settings_keep_their_order_and_text() -> None:
    params = parse_infotext(A1111_TEXT).params
    assert list(params)[:5] == ["Steps", "Sampler", "CFG scale", "Seed", "Size"]
    assert (params["Sampler"], params["Size"], params["Version"]) == (
        "DPM++ 2M Karras",
        "768x512",
        "v1.9.4",
    )


def test_text_without_negative_line_has_empty_negative() -> None:
    parsed = parse_infotext(
        "a fox\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 64x64"
    )
    assert (parsed.prompt, parsed.negative_prompt, parsed.params["Seed"]) == ("a fox", "", "1")


def test_multi_line_negative_prompt_runs_until_the_settings() -> None:
    text = "a fox\nNegative prompt: ugly\nextra limbs\nSteps: 5, Seed: 2, Size: 8x8"
    assert parse_infotext(text).negative_prompt == "ugly\nextra limbs"


def test_text_with_only_a_prompt_has_no_settings() -> None:
    assert parse_infotext("just a prompt: with a colon") == Infotext("just a prompt: with a colon")


def test_quoted_value_with_newline_and_quote_comes_back() -> None:
    value = 'line one\nsays "hi", ok'
    text = format_infotext("p", "", {"Steps": 1, "Seed": 2, "Note": value})
    assert "\n" not in text.split("\n", 1)[1]
    assert parse_infotext(text).params["Note"] == value


def test_damaged_quoted_value_is_kept_as_written() -> None:
    parsed = parse_infotext('p\nSteps: 1, Seed: 2, Model: "unterminated, Size: 8x8')
    assert parsed.params["Model"] == '"unterminated'
    assert parsed.params["Size"] == "8x8"


_KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9 _/-]{0,12}[A-Za-z0-9]", fullmatch=True)
_PROMPTS = st.text().filter(
    lambda text: not any(line.startswith(NEGATIVE_PREFIX) for line in text.split("\n"))
)


@given(
    prompt=_PROMPTS,
    negative=st.text(),
    params=st.dictionaries(_KEYS, st.text(), min_size=3, max_size=8),
)
def test_format_then_parse_gives_back_the_same_values(
    prompt: str, negative: str, params: dict[str, str]
) -> None:
    parsed = parse_infotext(format_infotext(prompt, negative, params))
    assert parsed == Infotext(prompt, negative, params)


@given(st.text())
def test_quote_then_unquote_is_identity(value: str) -> None:
    assert unquote(quote(value)) == value


_TRICKY = st.sampled_from(
    [
        "Negative prompt:",
        "Steps: 1",
        ", ",
        ": ",
        '"',
        "\\",
        "\n",
        "\r",
        "x",
        " ",
        '"a"',
        "\\u00",
        "{",
    ]
)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.lists(_TRICKY).map("".join), st.text(string.printable)))
def test_any_text_parses_to_strings(text: str) -> None:
    parsed = parse_infotext(text)
    assert isinstance(parsed.prompt, str) and isinstance(parsed.negative_prompt, str)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.params.items())


@given(st.text())
def test_nothing_is_lost_from_text_without_settings(text: str) -> None:
    parsed = parse_infotext(text + "\nno settings here")
    if not parsed.params and NEGATIVE_PREFIX not in text:
        assert parsed.prompt == text + "\nno settings here"
