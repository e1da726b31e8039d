"""Only the model families know diffusers' pipeline classes: the rest of the app asks them."""

from __future__ import annotations

import ast
from pathlib import Path

import diffusers

ROOT = Path(__file__).resolve().parent.parent / "sdstudio"
FAMILIES = ROOT / "engine" / "models" / "families"
PIPELINE_CLASSES = {name for name in dir(diffusers) if name.endswith("Pipeline")}


def _named_in_code(tree: ast.AST) -> set[str]:
    """Identifiers, imported names and attribute names (docstrings and comments do not count)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.name.rsplit(".", 1)[-1])
    return names


def test_diffusers_has_the_pipeline_classes_this_test_looks_for() -> None:
    assert {"StableDiffusionPipeline", "StableDiffusionXLPipeline"} <= PIPELINE_CLASSES


def test_no_module_outside_the_families_names_a_diffusers_pipeline_class() -> None:
    offenders = {}
    for path in ROOT.rglob("*.py"):
        if FAMILIES in path.parents:
            continue
        named = _named_in_code(ast.parse(path.read_text(encoding="utf-8"))) & PIPELINE_CLASSES
        if named:
            offenders[str(path.relative_to(ROOT))] = sorted(named)

    assert offenders == {}


def test_the_families_do_name_the_pipeline_class_they_load_with() -> None:
    named: set[str] = set()
    for path in FAMILIES.rglob("*.py"):
        named |= _named_in_code(ast.parse(path.read_text(encoding="utf-8")))

    assert "StableDiffusionPipeline" in named
