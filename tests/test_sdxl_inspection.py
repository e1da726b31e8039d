"""The learner's views on a loaded SDXL model: the browser shows what SDXL adds (the second
text encoder, the added time embedding) with real shapes, and the probes watch and map it."""

from __future__ import annotations

import pytest

from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.modules import (
    ShapeSpec,
    apply_shapes,
    build_pipeline_tree,
    capture_tree_shapes,
)
from sdstudio.engine.probes import AttentionCapture, ModuleWatcher
from tests.probes_support import small_request

SDXL_PARTS = ("text_encoder_2", "unet.add_embedding", "unet.add_time_proj")


@pytest.fixture(scope="module")
def sdxl_tree(sdxl_model):
    root = build_pipeline_tree(sdxl_model.pipeline)
    apply_shapes(root, capture_tree_shapes(root, ShapeSpec(64, 64)))
    return root


@pytest.mark.parametrize("path", SDXL_PARTS)
def test_the_browser_shows_what_sdxl_adds(sdxl_tree, path: str) -> None:
    assert sdxl_tree.find(path) is not None


def test_the_added_embedding_gets_its_shape_from_a_real_forward(sdxl_tree) -> None:
    """pooled (24) + 6 size ids × 8 = 72 wide in, the time embedding's width out."""
    record = sdxl_tree.find("unet.add_embedding").shape_record
    assert record is not None
    assert record.inputs[0][1][-1] == 72


@pytest.mark.parametrize(
    "path", ["text_encoder_2.text_model.encoder.layers.0", "unet.add_embedding"]
)
def test_sdxl_modules_can_be_watched(sdxl_model, path: str) -> None:
    request = small_request(steps=2)
    views = []
    with ModuleWatcher(sdxl_model.pipeline, [path], request) as watcher:
        for event in generate(sdxl_model, request):
            views.extend(watcher.collect(event))
    assert views and all(view.image.mode == "RGB" for view in views)


def test_cross_attention_maps_are_drawn_for_sdxl_prompts(sdxl_model) -> None:
    request = small_request(prompt="a red circle", width=64, height=96)
    with AttentionCapture(sdxl_model.pipeline, request) as capture:
        for event in generate(sdxl_model, request):
            if isinstance(event, ImageFinished):
                maps = capture.take()
    heat = maps.heat("red")
    width, height = maps.size
    assert heat.shape == (height, width) and height * 64 == width * 96  # the picture's aspect
    assert heat.max() > heat.min()
