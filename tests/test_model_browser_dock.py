"""The model browser dock: details for the selection, copy as text, presets, depth, and
an explorer's comforts: a filter that opens the tree, whole names, a resizable details pane."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QSplitter, QTextBrowser, QTreeView

from sdstudio.ui.model_browser import Column, ModelBrowserDock, PathRole

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


def _matches(view: QTreeView, needle: str, parent: QModelIndex | None = None) -> list:
    """Rows of the filtered tree whose own name contains ``needle``."""
    model, parent = view.model(), parent or QModelIndex()
    found = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if needle in index.data():
            found.append(index)
        found.extend(_matches(view, needle, index))
    return found


def _opened_down_to(view: QTreeView, index: QModelIndex) -> bool:
    parent = index.parent()
    while parent.isValid():
        if not view.isExpanded(parent):
            return False
        parent = parent.parent()
    return True


@pytest.fixture
def shown(qtbot, dock: ModelBrowserDock) -> ModelBrowserDock:
    dock.resize(460, 720)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_typing_a_filter_opens_the_tree_down_to_every_match(qtbot, shown) -> None:
    view = shown.tree_view()
    field = shown.findChild(QLineEdit, "modelFilter")

    def first_match_shown() -> bool:
        """Opened down to the first match, columns fitted and scrolled to (in that order,
        each after the filter settles)."""
        found = _matches(view, "attn2")
        if not found or not _opened_down_to(view, found[0]):
            return False
        rect = view.visualRect(found[0])
        return rect.isValid() and view.viewport().rect().intersects(rect)

    qtbot.keyClicks(field, "attn2")
    qtbot.waitUntil(first_match_shown)

    matches = _matches(view, "attn2")
    assert [index.data(PathRole) for index in matches] == [
        "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2",
        "unet.up_blocks.0.attentions.0.transformer_blocks.0.attn2",
        "unet.up_blocks.0.attentions.1.transformer_blocks.0.attn2",
    ]
    assert all(_opened_down_to(view, index) for index in matches)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_names_and_numbers_are_never_cut_short(qtbot, shown) -> None:
    view = shown.tree_view()
    shown.filter_by("attn2")
    header = view.header()
    wide_enough = [Column.NAME, Column.PARAMETERS, Column.OUTPUT_SHAPE]
    qtbot.waitUntil(
        lambda: all(header.sectionSize(c) >= view.sizeHintForColumn(c) for c in wide_enough)
    )

    deep = next(i for i in _matches(view, "transformer_blocks") if i.data() == "transformer_blocks")
    assert view.visualRect(deep).width() >= view.fontMetrics().horizontalAdvance(
        "transformer_blocks"
    )
    attention = _matches(view, "attn2")[0]
    row = [attention.siblingAtColumn(c).data() for c in (Column.PARAMETERS, Column.OUTPUT_SHAPE)]
    assert row == ["16.4 k", "2×16×64"]  # compact; at 64×64: 4×4 latent tokens
    for column, text in zip((Column.PARAMETERS, Column.OUTPUT_SHAPE), row, strict=True):
        cell = view.visualRect(attention.siblingAtColumn(column))
        assert cell.width() >= view.fontMetrics().horizontalAdvance(text)
    tip = attention.siblingAtColumn(Column.PARAMETERS).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"{CROSS_ATTENTION}\n16,448 parameters (2.0% of unet)"
    # All of it in the dock's width: a name cut for room is cut in the middle, not its end.
    assert view.horizontalScrollBar().maximum() == 0
    assert view.textElideMode() == Qt.TextElideMode.ElideMiddle


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_details_get_a_resizable_share_of_the_height(shown) -> None:
    splitter = shown.findChild(QSplitter, "modelBrowserSplitter")
    tree, details = splitter.widget(0), splitter.widget(1)
    assert tree is shown.tree_view() and details.objectName() == "modelDetails"

    assert details.height() >= sum(splitter.sizes()) / 3
    splitter.moveSplitter(splitter.height() // 4, 1)  # the reader drags the handle up

    assert details.height() >= sum(splitter.sizes()) * 2 / 3
    assert not splitter.childrenCollapsible()
