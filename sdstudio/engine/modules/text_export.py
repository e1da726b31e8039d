"""The tree as text, in the chapter's ``recursive_print`` layout, with parameter counts.

    [CLIPTextModel]  # 123060480 params
    embeddings: CLIPTextEmbeddings  # 38004480 params
      token_embedding: Embedding(49408, 768)  # 37945344 params
    encoder: CLIPEncoder  # 85054464 params
      layers: ModuleList len=12  # 85054464 params

Leaves print their ``repr``; containers their class name; lists their length. ``depth`` is
the chapter's ``deepest``: how many levels below the starting node are printed.
"""

from __future__ import annotations

from sdstudio.engine.modules.nodes import NodeKind, TreeNode
from sdstudio.engine.modules.shape_records import format_named_shapes

INDENT = "  "


def export_text(node: TreeNode, depth: int = 3, shapes: bool = False) -> str:
    """A component, a module subtree, or (for the root) every component in turn."""
    if node.kind is NodeKind.ROOT:
        blocks = (f"== {c.name} ==\n{export_text(c, depth, shapes)}" for c in node.children)
        return "\n\n".join(blocks)
    if node.kind is NodeKind.INFO:
        return f"[{node.type_name}]  # {node.name}: {node.details}"
    lines = [f"[{node.type_name}]{_annotation(node, shapes)}"]
    _export_children(node, depth, shapes, 0, lines)
    return "\n".join(lines)


def _export_children(
    node: TreeNode, deepest: int, shapes: bool, level: int, out: list[str]
) -> None:
    if level >= deepest:
        return
    prefix = INDENT * level
    for child in node.children:
        out.append(f"{prefix}{child.name}: {_describe(child)}{_annotation(child, shapes)}")
        _export_children(child, deepest, shapes, level + 1, out)


def _describe(node: TreeNode) -> str:
    if node.is_module_list:
        return f"{node.type_name} len={len(node.module)}"
    if node.has_children():
        return node.type_name
    return repr(node.module)


def _annotation(node: TreeNode, shapes: bool) -> str:
    notes = [f"{node.param_count} params"]
    record = node.shape_record if shapes else None
    if record is not None and record.outputs:
        notes.append(f"out {format_named_shapes(record.outputs, 'x')}")
    return "  # " + ", ".join(notes)
