"""Prompts cut into A1111's 75-token chunks: nothing is dropped, BREAK and commas place the
cuts, and the count a user sees is A1111's."""

from __future__ import annotations

import pytest
from transformers import CLIPTokenizer

from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.prompts.token_chunks import CHUNK_LENGTH, chunk_prompt


@pytest.fixture(scope="module")
def tokenizer():
    return CLIPTokenizer.from_pretrained(demo_model_dir() / "tokenizer")


def _words(tokenizer, chunk) -> list[str]:
    """The chunk's prompt tokens as text, without start, end and padding."""
    inner = chunk.ids[1:-1]
    end = tokenizer.eos_token_id
    inner = inner[: inner.index(end)] if end in inner else inner
    return [token.removesuffix("</w>") for token in tokenizer.convert_ids_to_tokens(inner)]


def test_a_short_prompt_is_one_chunk_wrapped_in_start_and_end_tokens(tokenizer) -> None:
    chunked = chunk_prompt(tokenizer, "a red circle")
    (chunk,) = chunked.chunks
    assert len(chunk.ids) == CHUNK_LENGTH + 2
    assert chunk.ids[0] == tokenizer.bos_token_id
    assert chunk.ids[-1] == tokenizer.eos_token_id
    assert _words(tokenizer, chunk) == ["a", "red", "circle"]
    assert chunked.token_count == 3 and chunked.limit == 75


def test_a_long_prompt_is_read_in_full_across_chunks(tokenizer) -> None:
    chunked = chunk_prompt(tokenizer, " ".join(["red"] * 100))
    assert [len(_words(tokenizer, chunk)) for chunk in chunked.chunks] == [75, 25]
    assert chunked.token_count == 100 and chunked.limit == 150


def test_break_starts_a_new_chunk(tokenizer) -> None:
    chunked = chunk_prompt(tokenizer, "a red circle BREAK a blue square")
    assert [_words(tokenizer, chunk) for chunk in chunked.chunks] == [
        ["a", "red", "circle"],
        ["a", "blue", "square"],
    ]
    assert chunked.token_count == 75 + 3  # A1111 counts a closed chunk as full


def test_a_chunk_filling_near_a_comma_moves_the_phrase_after_it(tokenizer) -> None:
    # 70 words, a comma, then a 10-word phrase: the chunk fills 4 tokens after the comma,
    # so the phrase moves whole to the next chunk.
    prompt = " ".join(["red"] * 70) + ", " + " ".join(["blue"] * 10)
    first, second = chunk_prompt(tokenizer, prompt).chunks
    assert _words(tokenizer, first) == ["red"] * 70 + [","]
    assert _words(tokenizer, second) == ["blue"] * 10


def test_a_comma_further_back_than_20_tokens_does_not_move_anything(tokenizer) -> None:
    prompt = " ".join(["red"] * 50) + ", " + " ".join(["blue"] * 30)
    first, second = chunk_prompt(tokenizer, prompt).chunks
    assert _words(tokenizer, first) == ["red"] * 50 + [","] + ["blue"] * 24
    assert _words(tokenizer, second) == ["blue"] * 6


def test_each_token_carries_the_weight_of_its_bracket(tokenizer) -> None:
    (chunk,) = chunk_prompt(tokenizer, "a (red:1.5) [circle]").chunks
    assert chunk.weights[:5] == pytest.approx([1.0, 1.0, 1.5, 1 / 1.1, 1.0])
    assert set(chunk.weights[4:]) == {1.0}


def test_an_embeddings_vectors_stay_in_one_chunk(tokenizer) -> None:
    red = tokenizer.convert_tokens_to_ids("red</w>")
    vectors = [9001, 9002, 9003]
    chunked = chunk_prompt(tokenizer, " ".join(["blue"] * 73) + " red", {red: vectors})
    first, second = chunked.chunks
    assert 9001 not in first.ids
    assert second.ids[1:4] == vectors
