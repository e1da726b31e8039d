"""sdstudio has no import cycles, and only the app's entry points know the main window.

The graph is built from the source (``ast``), so imports under ``TYPE_CHECKING`` count too, as
do the package ``__init__`` modules that Python runs before a submodule (other than the
importer's own packages, which are already under way, and the layer packages ``sdstudio.ui``,
``sdstudio.engine`` and ``sdstudio.cli``, whose ``__init__`` only names things lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import sdstudio

PACKAGE_ROOT = Path(sdstudio.__file__).parent
MAIN_WINDOW = "sdstudio.ui.main_window"
MAY_IMPORT_MAIN_WINDOW = {
    "sdstudio.ui",
    "sdstudio.ui.app",
    "sdstudio.ui.main_window",
    "sdstudio.ui.smoke_test",
}


def _module_name(path: Path) -> str:
    parts = ["sdstudio", *path.relative_to(PACKAGE_ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


def _with_packages(name: str, known: set[str]) -> set[str]:
    """``name`` and the packages below the layers that Python initialises before it."""
    parts = name.split(".")
    return {".".join(parts[:end]) for end in range(3, len(parts) + 1)} & known


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every sdstudio module that ``name`` imports anywhere in its source, TYPE_CHECKING
    included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            found |= _with_packages(target, known)
    # A module's own packages are already being imported when it runs: no edge to them.
    return found - _with_packages(name, known)


def import_graph() -> dict[str, set[str]]:
    modules = package_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_sees_type_checking_and_package_imports() -> None:
    graph = import_graph()
    assert "sdstudio.ui.worker_events" in graph["sdstudio.ui.history.model"]
    assert "sdstudio.ui.probes" in graph["sdstudio.ui.worker"]  # via probes.messages
    # under TYPE_CHECKING only:
    assert "sdstudio.ui.probes.messages" in graph["sdstudio.ui.worker_events"]
    assert (
        "sdstudio.engine.models.families.conditioning"
        in graph["sdstudio.engine.generation.run_context"]
    )
    cycle = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert {"a", "b", "c"} in strongly_connected(cycle)


def test_only_the_entry_points_import_the_main_window() -> None:
    importers = {name for name, targets in import_graph().items() if MAIN_WINDOW in targets}
    assert importers - MAY_IMPORT_MAIN_WINDOW == set()


def test_no_import_cycles_among_sdstudio_modules() -> None:
    cycles = [group for group in strongly_connected(import_graph()) if len(group) > 1]
    assert cycles == []
