"""The text export uses the chapter's ``recursive_print`` layout, plus parameter counts."""

from __future__ import annotations

from torch import nn

from sdstudio.engine.modules import export_text, module_tree


class TinyBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 8)
        self.layers = nn.ModuleList([nn.Sequential(nn.Linear(8, 8), nn.SiLU()) for _ in range(2)])
        self.norm = nn.LayerNorm(8)


def test_small_module_matches_the_chapter_layout() -> None:
    block = TinyBlock()
    text = export_text(module_tree(block), depth=2)

    assert text.splitlines() == [
        "[TinyBlock]  # 200 params",
        "proj: Linear(in_features=4, out_features=8, bias=True)  # 40 params",
        "layers: ModuleList len=2  # 144 params",
        "  0: Sequential  # 72 params",
        "  1: Sequential  # 72 params",
        f"norm: {block.norm!r}  # 16 params",  # LayerNorm((8,), eps=1e-05, ...)
    ]


def test_depth_limits_the_levels_printed() -> None:
    text = export_text(module_tree(TinyBlock()), depth=1)

    assert [line for line in text.splitlines() if line.startswith("  ")] == []
    assert "layers: ModuleList len=2  # 144 params" in text


def test_export_of_a_subtree_starts_at_its_class() -> None:
    node = module_tree(TinyBlock()).find("layers.0")

    assert export_text(node, depth=3).splitlines() == [
        "[Sequential]  # 72 params",
        "0: Linear(in_features=8, out_features=8, bias=True)  # 72 params",
        "1: SiLU()  # 0 params",
    ]
