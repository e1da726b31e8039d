"""Where an attention layer's queries, keys and values come from, with their shapes.

In the UNet's cross-attention the queries are computed from the image (the latent pixels,
flattened into tokens) while keys and values are computed from the text encoder's output:
that is how the prompt steers each pixel. Self-attention takes all three from one side.
"""

from __future__ import annotations

from dataclasses import dataclass

from sdstudio.engine.modules.nodes import TreeNode
from sdstudio.engine.modules.shape_records import Shape

_LAYER_NAMES = {
    "to_q": ("to_q", "to_k", "to_v"),  # diffusers Attention
    "q_proj": ("q_proj", "k_proj", "v_proj"),  # transformers CLIPAttention
}


@dataclass(frozen=True)
class Projection:
    """One of Q, K, V: its linear layer, which side feeds it, and the shapes it saw."""

    role: str
    layer: str
    in_features: int
    out_features: int
    source: str  # "image" or "text"
    input_shape: Shape | None
    output_shape: Shape | None


def is_cross_attention(node: TreeNode) -> bool:
    return getattr(node.module, "is_cross_attention", False) is True


def attention_projections(node: TreeNode) -> list[Projection]:
    """Q, K, V of an attention module (empty for anything else)."""
    module = node.module
    names = next((names for first, names in _LAYER_NAMES.items() if hasattr(module, first)), None)
    if names is None:
        return []
    own_side = "text" if _in_text_encoder(node) else "image"
    kv_side = "text" if is_cross_attention(node) else own_side
    projections = []
    for role, layer_name, side in zip("QKV", names, (own_side, kv_side, kv_side), strict=True):
        layer = getattr(module, layer_name, None)
        if layer is None or not hasattr(layer, "in_features"):
            continue
        child = node.find(layer_name)
        record = child.shape_record if child is not None else None
        projections.append(
            Projection(
                role,
                layer_name,
                layer.in_features,
                layer.out_features,
                side,
                record.inputs[0][1] if record and record.inputs else None,
                record.outputs[0][1] if record and record.outputs else None,
            )
        )
    return projections


def _in_text_encoder(node: TreeNode) -> bool:
    component = node.context.module if node.context else None
    return node.component_name.startswith("text_encoder") or type(component).__name__.startswith(
        "CLIPText"
    )
