"""The module tree's item model: a well-behaved Qt model, lazy, filterable."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from sdstudio.engine.modules import build_pipeline_tree, load_architecture
from sdstudio.ui.model_browser import (
    Column,
    ModuleFilterProxy,
    ModuleTreeModel,
    ParamCountRole,
    PathRole,
)
from sdstudio.ui.model_browser.tree_model import compact_count


def visible_paths(proxy: ModuleFilterProxy, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    paths = []
    for row in range(proxy.rowCount(parent)):
        index = proxy.index(row, 0, parent)
        paths.append(index.data(PathRole))
        paths.extend(visible_paths(proxy, index))
    return paths


def test_demo_tree_passes_the_model_tester(qtmodeltester, demo_model) -> None:
    model = ModuleTreeModel(build_pipeline_tree(demo_model.pipeline, "demo"))

    qtmodeltester.check(model)


def test_filter_proxy_passes_the_model_tester(qtmodeltester, demo_model) -> None:
    proxy = ModuleFilterProxy()
    proxy.setSourceModel(ModuleTreeModel(build_pipeline_tree(demo_model.pipeline, "demo")))
    proxy.set_filter_text("attn2")

    qtmodeltester.check(proxy)


def test_rows_show_name_type_parameters_and_details() -> None:
    model = ModuleTreeModel(load_architecture("sd15").tree())
    unet = model.index(1, 0)
    conv_in = model.index(0, 0, unet)

    row = [model.index(0, column, unet).data() for column in Column]

    assert unet.data(ParamCountRole) == 859_520_964
    assert model.index(1, Column.PARAMETERS).data() == "859.5 M"  # compact; exact in the tip
    assert model.index(1, Column.PARAMETERS).data(Qt.ItemDataRole.ToolTipRole) == (
        "unet\n859,520,964 parameters"
    )
    assert row[:3] == ["conv_in", "Conv2d", "11.8 k"]
    assert conv_in.siblingAtColumn(Column.PARAMETERS).data(Qt.ItemDataRole.ToolTipRole) == (
        "unet.conv_in\n11,840 parameters (0.0% of unet)"
    )
    assert row[Column.DETAILS].startswith("4, 320, kernel_size=(3, 3)")
    assert conv_in.parent() == unet
    assert model.headerData(Column.OUTPUT_SHAPE, Qt.Orientation.Horizontal) == "Output"
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.headerData(Column.OUTPUT_SHAPE, Qt.Orientation.Horizontal, tip).startswith(
        "Output shape"
    )


def test_parameter_counts_are_compact_with_one_decimal() -> None:
    assert [compact_count(n) for n in (0, 128, 999, 1_000, 16_448, 999_999)] == [
        "0", "128", "999", "1.0 k", "16.4 k", "1.0 M",
    ]  # fmt: skip
    assert [compact_count(n) for n in (1_234_567, 859_520_964, 2_567_463_684)] == [
        "1.2 M", "859.5 M", "2.6 B",
    ]  # fmt: skip


def test_children_are_built_only_when_asked() -> None:
    root = load_architecture("sdxl").tree()
    model = ModuleTreeModel(root)
    unet = model.index(2, 0)

    assert model.hasChildren(unet)
    assert root.children[2]._children is None
    assert model.rowCount(unet) == 11


def test_filter_keeps_the_ancestors_of_a_match(demo_model) -> None:
    proxy = ModuleFilterProxy()
    proxy.setSourceModel(ModuleTreeModel(build_pipeline_tree(demo_model.pipeline, "demo")))

    proxy.set_filter_text("attn2")
    paths = visible_paths(proxy)

    assert "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2" in paths
    assert "unet.down_blocks.1.attentions.0.transformer_blocks.0" in paths
    assert "unet.down_blocks" in paths and "unet" in paths
    assert not any(path.endswith("attn1") or path.startswith("vae") for path in paths)


def test_filter_matches_the_type_too(demo_model) -> None:
    proxy = ModuleFilterProxy()
    proxy.setSourceModel(ModuleTreeModel(build_pipeline_tree(demo_model.pipeline, "demo")))

    proxy.set_filter_text("clipencoderlayer")

    assert "text_encoder.encoder.layers.1" in visible_paths(proxy)
