"""Everything the details pane says about one node, gathered without any UI."""

from __future__ import annotations

from dataclasses import dataclass

from sdstudio.engine.modules.attention_io import (
    Projection,
    attention_projections,
    is_cross_attention,
)
from sdstudio.engine.modules.explanations import Explanation, explanation_for
from sdstudio.engine.modules.nodes import NodeKind, TensorInfo, TreeNode
from sdstudio.engine.modules.shape_records import ShapeRecord


@dataclass(frozen=True)
class NodeDetails:
    path: str
    type_name: str
    facts: tuple[tuple[str, str], ...]
    tensors: tuple[TensorInfo, ...]
    shapes: ShapeRecord | None
    projections: tuple[Projection, ...]
    cross_attention: bool
    explanation: Explanation | None


def describe_node(node: TreeNode) -> NodeDetails:
    facts: list[tuple[str, str]] = [("Path", node.full_path), ("Type", node.type_name)]
    if node.kind is NodeKind.INFO and node.info is not None:
        facts.extend(node.info.facts)
    count, share = node.param_count, node.share
    if count is not None:
        share_text = f" ({share:.1%} of {node.component_name})" if share is not None else ""
        facts.append(("Parameters", f"{count:,}{share_text}"))
    placement = node.placement()
    if placement is not None:
        facts.append(("Device / dtype", f"{placement[0]} / {placement[1]}"))
    if node.kind is not NodeKind.INFO and node.details:
        facts.append(("Details", node.details))
    return NodeDetails(
        node.full_path,
        node.type_name,
        tuple(facts),
        tuple(node.own_tensors()),
        node.shape_record,
        tuple(attention_projections(node)),
        is_cross_attention(node),
        explanation_for(node),
    )
