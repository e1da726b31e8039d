"""Cross-attention maps per prompt token: tokens as the tokenizer split them, maps with the
image's aspect that sum and normalise as documented, processors restored however a run ends."""

from __future__ import annotations

import numpy as np
import pytest

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.probes import AttentionCapture, TokenMaps, cross_attention_layers
from tests.helpers import finished_images, max_pixel_difference
from tests.probes_support import our_processors, small_request


def capture_run(model, request, cancel=None) -> tuple[list[TokenMaps], list]:
    maps, images = [], []
    with AttentionCapture(model.pipeline, request) as capture:
        for event in generate(model, request, cancel):
            if isinstance(event, ImageFinished):
                maps.append(capture.take())
                images.append(event.image)
    return maps, images


def test_tokens_are_the_tokenizers_own(demo_model) -> None:
    request = small_request(prompt="a red circle")
    capture = AttentionCapture(demo_model.pipeline, request)

    texts = [token.text for token in capture.tokens]
    assert texts == demo_model.pipeline.tokenizer.tokenize("a red circle")
    assert "circle</w>" in texts
    assert [token.index for token in capture.tokens] == [1, 2, 3]  # 0 is the start token


def test_a_split_word_selects_all_its_pieces(demo_model) -> None:
    capture = AttentionCapture(demo_model.pipeline, small_request(prompt="a red circles"))

    assert capture.find("circles").label == "cir c l e s</w>"  # not a word of its world
    assert capture.find("red").label == "red</w>"
    assert capture.find("s</w>").indices == [7]


def test_a_word_matches_whole_words_only(demo_model) -> None:
    capture = AttentionCapture(demo_model.pipeline, small_request(prompt="a red sea"))

    assert [token.text for token in capture.tokens] == ["a</w>", "red</w>", "s", "e", "a</w>"]
    assert capture.find("a").indices == [1]  # not the end of "sea"
    assert capture.find("sea").label == "s e a</w>"
    assert capture.find("a</w>").indices == [1, 5]  # a token spelled exactly: every one


def test_an_unknown_word_lists_the_prompts_tokens(demo_model) -> None:
    capture = AttentionCapture(demo_model.pipeline, small_request(prompt="a red circle"))

    with pytest.raises(UserFacingError) as error:
        capture.find("castle")
    assert str(error.value) == (
        "No token 'castle' in the prompt; its tokens are: a</w>, red</w>, circle</w>"
    )


def test_a_tokens_map_has_the_images_aspect(demo_model) -> None:
    maps, images = capture_run(demo_model, small_request(width=64, height=128))

    heat = maps[0].heat("circle")
    assert heat.shape == (16, 8)  # (height, width) of the latent grid
    assert heat.shape[0] / heat.shape[1] == images[0].height / images[0].width
    assert maps[0].size == (8, 16)


def test_every_pixels_attention_sums_to_one_over_the_text(demo_model) -> None:
    maps, _ = capture_run(demo_model, small_request())

    sums = maps[0].probabilities.sum(axis=0)
    assert np.allclose(sums, 1.0, atol=1e-4)
    assert maps[0].probabilities.min() >= 0.0


def test_a_tokens_heat_map_peaks_at_exactly_one(demo_model) -> None:
    maps, _ = capture_run(demo_model, small_request())

    heat = maps[0].heat("circle")
    assert heat.max() == 1.0
    assert heat.min() >= 0.0


def test_maps_average_every_layer_at_every_step(demo_model) -> None:
    request = small_request(steps=3)
    maps, _ = capture_run(demo_model, request)

    assert maps[0].steps == 3
    assert maps[0].layers == len(cross_attention_layers(demo_model.pipeline.unet)) == 3


def test_each_image_of_a_batch_gets_its_own_maps(demo_model) -> None:
    maps, _ = capture_run(demo_model, small_request(batch_count=2))

    assert [m.steps for m in maps] == [2, 2]
    assert not np.array_equal(maps[0].probabilities, maps[1].probabilities)


def test_capturing_does_not_change_the_image(demo_model) -> None:
    request = small_request()
    _, captured = capture_run(demo_model, request)

    assert max_pixel_difference(captured[0], finished_images(demo_model, request)[0]) == 0


def test_original_processors_are_back_after_a_run(demo_model) -> None:
    before = dict(demo_model.pipeline.unet.attn_processors)
    capture_run(demo_model, small_request())

    after = demo_model.pipeline.unet.attn_processors
    assert all(after[name] is processor for name, processor in before.items())


def test_processors_are_ours_only_inside_the_block(demo_model) -> None:
    with AttentionCapture(demo_model.pipeline, small_request()):
        during = our_processors(demo_model.pipeline)
    assert (len(during), our_processors(demo_model.pipeline)) == (3, [])


def test_cancel_mid_run_leaves_no_processor_behind(demo_model) -> None:
    cancel = CancelToken()
    request = small_request(steps=4)
    with AttentionCapture(demo_model.pipeline, request) as capture:
        for event in generate(demo_model, request, cancel):
            if isinstance(event, StepEvent) and event.step == 2:
                cancel.cancel()
        partial = capture.maps()
    assert partial.steps == 2
    assert our_processors(demo_model.pipeline) == []


def test_an_error_inside_the_run_leaves_no_processor_behind(demo_model) -> None:
    with pytest.raises(RuntimeError), AttentionCapture(demo_model.pipeline, small_request()):
        for _ in generate(demo_model, small_request()):
            raise RuntimeError("the consumer failed")
    assert our_processors(demo_model.pipeline) == []
