"""Watching modules: the captured output is the browser's, pictures per step, no hooks left."""

from __future__ import annotations

import numpy as np
import pytest

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.modules import (
    ShapeSpec,
    apply_shapes,
    build_pipeline_tree,
    capture_tree_shapes,
)
from sdstudio.engine.probes import CfgHalf, ModuleWatcher, ViewMode, ViewSettings
from sdstudio.engine.probes.activation_images import GAP
from sdstudio.engine.probes.prompt_tokens import token_count
from tests.probes_support import forward_hook_count, small_request

WATCHED = [
    "unet.down_blocks.1.attentions.0",
    "unet.down_blocks.1.attentions.0.transformer_blocks.0",
    "unet.mid_block",
    "text_encoder.encoder.layers.0",
    "vae.decoder.up_blocks.0",
]


def watch_run(model, paths, request, settings=None, cancel=None):
    """Every view collected during one run, in order."""
    views = []
    with ModuleWatcher(model.pipeline, paths, request, settings) as watcher:
        for event in generate(model, request, cancel):
            views.extend(watcher.collect(event))
    return views


@pytest.fixture(scope="module")
def browser_tree(demo_model):
    root = build_pipeline_tree(demo_model.pipeline)
    apply_shapes(root, capture_tree_shapes(root, ShapeSpec(64, 64)))
    return root


@pytest.mark.parametrize("path", WATCHED)
def test_captured_shape_is_the_browsers_output_shape(demo_model, browser_tree, path) -> None:
    views = watch_run(demo_model, [path], small_request())

    expected = browser_tree.find(path).shape_record.outputs[0][1]
    assert views and {view.shape for view in views} == {expected}


def test_every_step_gives_a_picture_of_each_unet_module(demo_model) -> None:
    request = small_request(steps=3)
    views = watch_run(demo_model, ["unet.mid_block", "unet.conv_in"], request)

    steps = [(view.module_path, view.step) for view in views]
    assert steps == [
        (path, step) for step in (1, 2, 3) for path in ("unet.mid_block", "unet.conv_in")
    ]
    assert all(view.fresh and view.image.mode == "RGB" for view in views)


def test_vae_modules_are_pictured_when_the_image_is_decoded(demo_model) -> None:
    views = watch_run(demo_model, ["vae.decoder.up_blocks.0"], small_request())

    assert [view.final for view in views] == [True]


def test_text_encoder_picture_is_one_strip_row_per_prompt_token(demo_model) -> None:
    request = small_request()
    views = watch_run(demo_model, ["text_encoder"], request)

    rows = token_count(demo_model.pipeline.tokenizer, request.prompt)
    assert views[0].mode is ViewMode.STRIP
    assert views[0].image.height == rows * 6  # 6 pixels per token row
    assert [view.fresh for view in views] == [True, False]  # it ran once, before step 1


def test_both_cfg_halves_show_side_by_side_and_differ(demo_model) -> None:
    path = ["unet.down_blocks.1.attentions.0"]
    request = small_request(steps=1)
    prompt_only = watch_run(demo_model, path, request)[0].image
    both = watch_run(demo_model, path, request, ViewSettings(half=CfgHalf.BOTH))[0].image

    assert both.size == (2 * prompt_only.width + GAP, prompt_only.height)
    negative = np.asarray(both)[:, : prompt_only.width]
    prompt = np.asarray(both)[:, prompt_only.width + GAP :]
    assert np.array_equal(prompt, np.asarray(prompt_only))
    assert not np.array_equal(negative, prompt)


def test_without_guidance_the_prompt_half_is_shown(demo_model) -> None:
    settings = ViewSettings(half=CfgHalf.NEGATIVE)
    views = watch_run(demo_model, ["unet.mid_block"], small_request(cfg_scale=1.0), settings)

    assert {view.half for view in views} == {CfgHalf.PROMPT}
    assert views[0].shape[0] == 1


def test_pca_view_is_an_rgb_map_of_the_feature_grid(demo_model) -> None:
    settings = ViewSettings(mode=ViewMode.PCA)
    request = small_request(width=64, height=128)
    views = watch_run(demo_model, ["unet.down_blocks.1.attentions.0"], request, settings)

    # an 8x16 latent grid at level 1 is 4x8, enlarged by whole pixels: same aspect as the image
    assert views[0].mode is ViewMode.PCA
    assert views[0].image.width * 2 == views[0].image.height


def test_no_hook_is_left_after_a_run(demo_model) -> None:
    watch_run(demo_model, WATCHED, small_request())

    assert forward_hook_count(demo_model.pipeline) == 0


def test_nothing_watched_registers_no_hook(demo_model) -> None:
    counts = []
    with ModuleWatcher(demo_model.pipeline, [], small_request()) as watcher:
        for event in generate(demo_model, small_request()):
            counts.append(forward_hook_count(demo_model.pipeline))
            assert watcher.collect(event) == []
    assert set(counts) == {0}


def test_hooks_exist_only_during_the_run(demo_model) -> None:
    with ModuleWatcher(demo_model.pipeline, WATCHED, small_request()):
        during = forward_hook_count(demo_model.pipeline)
    assert (during, forward_hook_count(demo_model.pipeline)) == (len(WATCHED), 0)


def test_cancel_mid_run_leaves_no_hook(demo_model) -> None:
    cancel = CancelToken()
    request = small_request(steps=4)
    seen = []
    with ModuleWatcher(demo_model.pipeline, WATCHED, request) as watcher:
        for event in generate(demo_model, request, cancel):
            seen.append(event)
            watcher.collect(event)
            if isinstance(event, StepEvent) and event.step == 2:
                cancel.cancel()
    assert not any(isinstance(event, ImageFinished) for event in seen)
    assert forward_hook_count(demo_model.pipeline) == 0


def test_an_error_inside_the_run_leaves_no_hook(demo_model) -> None:
    with pytest.raises(RuntimeError), ModuleWatcher(demo_model.pipeline, WATCHED, small_request()):
        for _ in generate(demo_model, small_request()):
            raise RuntimeError("the consumer failed")
    assert forward_hook_count(demo_model.pipeline) == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("unet.down_blocks.9.attentions.0", "No module '9' under unet.down_blocks (it has: 0, 1"),
        ("unet.mid_blok", "Did you mean: unet.mid_block"),
        ("unte.mid_block", "No component 'unte' in the model"),
    ],
)
def test_a_wrong_path_names_what_exists(demo_model, path, message) -> None:
    with pytest.raises(UserFacingError) as error:
        ModuleWatcher(demo_model.pipeline, [path])
    assert message in str(error.value)
    assert forward_hook_count(demo_model.pipeline) == 0
