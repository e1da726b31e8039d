"""Plain-words explanations of block types, read from ``resources/explanations/*.md``.

Each file is one explanation::

    # Cross-attention
    keys: Attention.cross

    Text in our own words...

``keys`` lists the class names it explains (a ``.variant`` suffix narrows it, e.g.
``Attention.cross`` vs ``Attention.self``); without a ``keys`` line the file name is the key.
Adding an explanation is adding a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sdstudio.engine.modules.nodes import TreeNode
from sdstudio.engine.resources import resources_dir


@dataclass(frozen=True)
class Explanation:
    title: str
    text: str
    source: Path


def explanations_dir() -> Path:
    return resources_dir() / "explanations"


@lru_cache(maxsize=4)
def load_explanations(folder: Path | None = None) -> dict[str, Explanation]:
    """Every explanation in ``folder``, keyed by class name (and ``Class.variant``)."""
    table: dict[str, Explanation] = {}
    for path in sorted((folder or explanations_dir()).glob("*.md")):
        keys, explanation = _parse(path)
        for key in keys:
            table[key] = explanation
    return table


def explanation_for(node: TreeNode, folder: Path | None = None) -> Explanation | None:
    table = load_explanations(folder)
    return next((table[key] for key in lookup_keys(node) if key in table), None)


def lookup_keys(node: TreeNode) -> list[str]:
    """Most specific first: ``Attention.cross``, then ``Attention``."""
    type_name = node.type_name
    variant = _variant(node)
    return [f"{type_name}.{variant}", type_name] if variant else [type_name]


def _variant(node: TreeNode) -> str | None:
    cross = getattr(node.module, "is_cross_attention", None)
    if isinstance(cross, bool):
        return "cross" if cross else "self"
    return None


def _parse(path: Path) -> tuple[list[str], Explanation]:
    lines = path.read_text(encoding="utf-8").splitlines()
    title = path.stem
    if lines and lines[0].startswith("#"):
        title = lines.pop(0).lstrip("#").strip()
    keys = [path.stem]
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].lower().startswith("keys:"):
        keys = [key.strip() for key in lines.pop(0).split(":", 1)[1].split(",") if key.strip()]
    return keys, Explanation(title, "\n".join(lines).strip(), path)
