"""The model browser dock: details for the selection, copy as text, presets, depth."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTextBrowser, QTreeView

from sdstudio.ui.model_browser import ModelBrowserDock

CROSS_ATTENTION = "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2"


@pytest.fixture
def dock(qtbot, demo_model) -> ModelBrowserDock:
    dock = ModelBrowserDock()
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.shapes_ready, timeout=20_000):
        dock.set_pipeline(demo_model.pipeline, shapes_for=(64, 64), label="demo")
    yield dock
    dock.shutdown()


def details_text(dock: ModelBrowserDock) -> str:
    return dock.findChild(QTextBrowser, "modelDetails").toPlainText()


def test_tree_view_is_named_for_the_main_window(dock: ModelBrowserDock) -> None:
    tree = dock.findChild(QTreeView, "modelTree")

    assert tree is dock.tree_view()
    assert tree.model().rowCount() == 5  # text encoder, UNet, VAE, tokenizer, scheduler


def test_cross_attention_details_show_keys_and_values_from_the_text(
    dock: ModelBrowserDock,
) -> None:
    assert dock.select_path(CROSS_ATTENTION)
    text = details_text(dock)

    assert "Cross-attention: the queries (Q) come from the image" in text
    assert "to_k\nin_features=64 → out_features=64\ntext\n2×77×64 → 2×77×64" in text
    assert "to_v\nin_features=64 → out_features=64\ntext\n2×77×64" in text
    assert "to_q\nin_features=64 → out_features=64\nimage\n2×16×64 → 2×16×64" in text


def test_details_list_own_tensors_and_output_shape(dock: ModelBrowserDock) -> None:
    dock.select_path("unet.conv_in")
    text = details_text(dock)

    assert "weight\n32×4×3×3 float32" in text
    assert "Output\n2×32×8×8" in text
    assert "Device / dtype\ncpu / float32" in text


def test_copy_as_text_puts_the_selected_subtree_on_the_clipboard(dock: ModelBrowserDock) -> None:
    dock.select_path("unet.time_embedding")
    dock.expand_to_depth(1)

    dock.copy_selection_as_text()

    assert QGuiApplication.clipboard().text().splitlines() == [
        "[TimestepEmbedding]  # 20736 params, out 2x128",
        "linear_1: Linear(in_features=32, out_features=128, bias=True)  # 4224 params, out 2x128",
        "act: SiLU()  # 0 params, out 2x128",
        "linear_2: Linear(in_features=128, out_features=128, bias=True)  # 16512 params, out 2x128",
    ]


def test_expand_to_depth_opens_that_many_levels(dock: ModelBrowserDock) -> None:
    view = dock.tree_view()
    model = view.model()
    unet = model.index(1, 0)
    down_blocks = next(
        model.index(row, 0, unet) for row in range(model.rowCount(unet))
        if model.index(row, 0, unet).data() == "down_blocks"
    )  # fmt: skip

    dock.expand_to_depth(2)

    assert view.isExpanded(unet) and view.isExpanded(down_blocks)
    assert not view.isExpanded(model.index(0, 0, down_blocks))


def test_preset_shows_without_weights_and_traces_shapes(qtbot, dock: ModelBrowserDock) -> None:
    with qtbot.waitSignal(dock.shapes_ready, timeout=20_000):
        dock.show_architecture("sd15", shapes_for=(512, 512))
    dock.select_path(CROSS_ATTENTION)

    assert "to_k\nin_features=768 → out_features=640\ntext\n2×77×768 → 2×77×640" in details_text(
        dock
    )


def test_a_late_trace_never_lands_on_another_tree(qtbot, dock: ModelBrowserDock) -> None:
    dock.show_architecture("sd15", shapes_for=(512, 512))
    preset = dock.root()
    dock.show_loaded_model()
    qtbot.waitUntil(lambda: bool(preset.find("unet").context.shapes), timeout=20_000)

    dock.select_path("unet.conv_in")

    assert "Output\n2×32×8×8" in details_text(dock)
