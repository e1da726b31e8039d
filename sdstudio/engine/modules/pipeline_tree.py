"""Turning a pipeline (or any mapping of named parts) into the browser's node tree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sdstudio.engine.modules.info_rows import describe_info_component
from sdstudio.engine.modules.nodes import ComponentContext, NodeKind, TreeNode

# Order of the top-level rows: what runs first comes first, descriptive rows last.
_ORDER = ("text_encoder", "unet", "vae")


def pipeline_components(pipeline: Any) -> dict[str, Any]:
    """The named parts of a diffusers pipeline (``components``), without the empty ones."""
    parts = getattr(pipeline, "components", None)
    if not isinstance(parts, Mapping):
        names = ("text_encoder", "text_encoder_2", "unet", "vae", "tokenizer", "tokenizer_2")
        parts = {name: getattr(pipeline, name, None) for name in (*names, "scheduler")}
    return {name: part for name, part in parts.items() if part is not None}


def build_tree(components: Mapping[str, Any], label: str = "model") -> TreeNode:
    """A root node whose children are the modules first, then tokenizer/scheduler info rows."""
    import torch

    root = TreeNode(label, NodeKind.ROOT)
    modules = {n: p for n, p in components.items() if isinstance(p, torch.nn.Module)}
    others = {n: p for n, p in components.items() if n not in modules}
    children: list[TreeNode] = []
    for name in sorted(modules, key=_module_rank):
        module = modules[name]
        total = sum(p.numel() for p in module.parameters())
        context = ComponentContext(name, module, total)
        children.append(TreeNode(name, NodeKind.COMPONENT, root, len(children), module, context))
    for name in sorted(others, key=lambda n: (not n.startswith("tokenizer"), n)):
        info = describe_info_component(others[name])
        children.append(TreeNode(name, NodeKind.INFO, root, len(children), info=info))
    root.set_children(children)
    return root


def build_pipeline_tree(pipeline: Any, label: str = "model") -> TreeNode:
    return build_tree(pipeline_components(pipeline), label)


def module_tree(module: Any, name: str = "module") -> TreeNode:
    """A component node for a lone module, e.g. to export one block as text."""
    return build_tree({name: module}, name).children[0]


def component_nodes(root: TreeNode) -> list[TreeNode]:
    return [child for child in root.children if child.kind is NodeKind.COMPONENT]


def _module_rank(name: str) -> tuple[int, str]:
    rank = next((i for i, prefix in enumerate(_ORDER) if name.startswith(prefix)), len(_ORDER))
    return rank, name
