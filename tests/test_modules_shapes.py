"""Meta-device shape tracing agrees with a real forward pass, and shows where K/V come from."""

from __future__ import annotations

import pytest

from sdstudio.engine.modules import (
    ShapeSpec,
    apply_shapes,
    attention_projections,
    build_pipeline_tree,
    capture_module_shapes,
    capture_tree_shapes,
    load_architecture,
)

SPEC = ShapeSpec(64, 64)


@pytest.mark.parametrize("component", ["unet", "vae", "text_encoder"])
def test_meta_shapes_match_a_real_forward_on_cpu(demo_model, component: str) -> None:
    module = getattr(demo_model.pipeline, component)

    on_meta = capture_module_shapes(module, SPEC, on_meta=True)
    on_cpu = capture_module_shapes(module, SPEC, on_meta=False)

    assert len(on_meta) > 20
    assert on_meta == on_cpu


def test_meta_tracing_leaves_the_loaded_weights_alone(demo_model) -> None:
    unet = demo_model.pipeline.unet
    before = unet.conv_in.weight.clone()

    capture_module_shapes(unet, SPEC)

    assert not unet.conv_in.weight.is_meta
    assert unet.conv_in.weight.equal(before)


def test_cross_attention_keys_and_values_come_from_the_text(demo_model) -> None:
    root = build_pipeline_tree(demo_model.pipeline)
    apply_shapes(root, capture_tree_shapes(root, SPEC))
    attn2 = root.find("unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2")

    q, k, v = attention_projections(attn2)

    assert (q.source, q.input_shape) == ("image", (2, 16, 64))  # 4×4 positions, 64 wide
    assert (k.source, k.in_features, k.input_shape) == ("text", 64, (2, 77, 64))
    assert (v.source, v.input_shape) == ("text", (2, 77, 64))


def test_self_attention_takes_everything_from_the_image() -> None:
    root = load_architecture("sd15").tree()
    attn1 = root.find("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1")

    assert {p.source for p in attention_projections(attn1)} == {"image"}
    assert [p.in_features for p in attention_projections(attn1)] == [320, 320, 320]


def test_sd15_at_512_has_the_textbook_shapes() -> None:
    root = load_architecture("sd15").tree()
    apply_shapes(root, capture_tree_shapes(root, ShapeSpec(512, 512)))

    assert root.find("unet.conv_in").shape_record.outputs[0][1] == (2, 320, 64, 64)
    assert root.find("unet.mid_block").shape_record.outputs[0][1] == (2, 1280, 8, 8)
    assert root.find("text_encoder").shape_record.outputs[0][1] == (2, 77, 768)
    assert root.find("vae.decoder").shape_record.outputs[0][1] == (1, 3, 512, 512)
