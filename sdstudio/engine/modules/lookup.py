"""Finding a node by component and dotted path, with messages that say what does exist."""

from __future__ import annotations

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.modules.nodes import TreeNode


def resolve_node(root: TreeNode, component: str | None = None, path: str | None = None) -> TreeNode:
    """The node at ``component`` + ``path``; without a component the path's first part names it.

    Raises ``UserFacingError`` naming the choices when a part does not exist.
    """
    parts = [part for part in (path or "").split(".") if part]
    if component is None and parts:
        component = parts.pop(0)
    if component is None:
        return root
    node = root.find(component)
    if node is None or node.parent is not root:
        choices = ", ".join(child.name for child in root.children)
        raise UserFacingError(f"No component {component!r} in {root.name}; it has: {choices}")
    for index, part in enumerate(parts):
        child = node.find(part)
        if child is None:
            where = ".".join([component, *parts[:index]])
            choices = ", ".join(c.name for c in node.children) or "no submodules"
            raise UserFacingError(f"No module {part!r} under {where}; it has: {choices}")
        node = child
    return node
