"""The prompt's words for the attention picker: tokenizer pieces grouped up to each ``</w>``
and decoded back to text; a word's map is the union (sum) of its pieces' maps."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import CLIPTokenizer

from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.probes.prompt_tokens import PromptToken, prompt_tokens
from sdstudio.engine.probes.prompt_words import decode_pieces, prompt_words
from sdstudio.engine.probes.token_maps import TokenMaps


@pytest.fixture(scope="module")
def tokenizer():
    return CLIPTokenizer.from_pretrained(demo_model_dir() / "tokenizer")


def test_red_cafe_is_two_words_not_byte_symbols(tokenizer) -> None:
    words = prompt_words(prompt_tokens(tokenizer, "red café"), tokenizer)

    assert [word.text for word in words] == ["red", "café"]
    cafe = words[1]
    assert [token.text for token in cafe.tokens] == tokenizer.tokenize("café")
    assert len(cafe.tokens) > 1 and cafe.tokens[-1].text.endswith("</w>")
    assert cafe.indices == list(range(2, 2 + len(cafe.tokens)))  # 0 is the start token
    assert cafe.pieces == " · ".join(tokenizer.tokenize("café"))


def test_weights_and_punctuation_and_other_scripts(tokenizer) -> None:
    words = prompt_words(prompt_tokens(tokenizer, "(Red:1.3) dragon, 東京"), tokenizer)

    assert [word.text for word in words] == ["red", "dragon", ",", "東京"]


def test_without_a_tokenizer_the_byte_table_decodes_the_same(tokenizer) -> None:
    tokens = prompt_tokens(tokenizer, "a red café 東京")

    with_tokenizer = [word.text for word in prompt_words(tokens, tokenizer)]
    assert (
        [word.text for word in prompt_words(tokens)]
        == with_tokenizer
        == [
            "a",
            "red",
            "café",
            "東京",
        ]
    )


def test_decoding_drops_the_end_of_word_marker_however_the_tokenizer_leaves_it() -> None:
    class KeepsMarker:
        def convert_tokens_to_string(self, pieces: list[str]) -> str:
            return "".join(pieces)

    class CannotDecode:
        def convert_tokens_to_string(self, pieces: list[str]) -> str:
            return "caf\ufffd"

    assert decode_pieces(["re", "d</w>"], KeepsMarker()) == "red"
    assert decode_pieces(["caf", "Ã©</w>"], CannotDecode()) == "café"  # CLIP's byte table


def _maps() -> TokenMaps:
    tokens = (PromptToken(1, "re"), PromptToken(2, "d</w>"), PromptToken(3, "sky</w>"))
    probabilities = np.zeros((5, 2, 2), np.float32)
    probabilities[1] = [[0.1, 0.0], [0.2, 0.0]]
    probabilities[2] = [[0.3, 0.0], [0.0, 0.0]]
    probabilities[3] = [[0.0, 0.5], [0.0, 0.25]]
    probabilities[0] = 1.0 - probabilities[1:].sum(axis=0)
    return TokenMaps(tokens, probabilities, steps=1, layers=1)


def test_a_words_map_is_the_sum_of_its_pieces_and_its_peak_is_that_maps_max() -> None:
    maps = _maps()
    red, sky = maps.words

    assert (red.text, sky.text) == ("red", "sky")  # grouped from the tokens when not given
    assert np.allclose(maps.attention(red), [[0.4, 0.0], [0.2, 0.0]])
    assert maps.peak(red) == pytest.approx(0.4)
    assert np.allclose(maps.heat(red), [[1.0, 0.0], [0.5, 0.0]])
    assert maps.heat(red).max() == 1.0
    assert maps.peak(sky) == pytest.approx(0.5)
