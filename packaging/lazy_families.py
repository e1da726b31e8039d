"""Which model and pipeline families of diffusers and transformers the frozen app needs.

Both libraries hand out their classes through lazy modules: ``from transformers import
CLIPTextModel`` imports ``transformers.models.clip.modeling_clip`` only when the name is first
used, so PyInstaller's static analysis cannot see it. Their ``if TYPE_CHECKING:`` branches, on
the other hand, import every model and pipeline they ship, and static analysis follows those:
left alone, the bundle carries some 400 transformers models and 100 diffusers pipelines.

This module reads the sources (without importing the families) and works out which families
are reachable at run time: the ones imported by sdstudio, by the libraries' core modules, or by
a family already reached, outside ``TYPE_CHECKING`` branches and with lazy names resolved to the
module that defines them. The spec hidden-imports those families and excludes all the others.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Packages whose subpackages are separate families (one model, one pipeline kind each).
FAMILY_ROOTS = ("transformers.models", "diffusers.pipelines", "diffusers.modular_pipelines")
LIBRARIES = ("transformers", "diffusers")
# Lazy packages whose names can be resolved to submodules by importing them (cheap: lazy).
LAZY_PACKAGES = ("transformers", "diffusers", "diffusers.pipelines", "diffusers.modular_pipelines")
# Modules that import many families but never run on sdstudio's paths: the AutoPipeline dispatch
# table (only AutoPipeline* classes and ``load_connected_pipeline`` use it) and the legacy
# checkpoint converter (single files load through ``diffusers.loaders`` instead).
NEVER_RUN = (
    "diffusers.pipelines.auto_pipeline",
    "diffusers.pipelines.stable_diffusion.convert_from_ckpt",
)
# Families never followed: diffusers' legacy pipelines, which its loader reaches only for
# inpainting checkpoints saved by diffusers 0.5 or older (sdstudio does no inpainting).
NOT_FOLLOWED = ("diffusers.pipelines.deprecated",)
# Inside transformers' model folders, modular_*.py are code-generation templates and convert_*.py
# one-off conversion scripts; transformers itself never imports either.
TEMPLATE_PREFIXES = ("modular_", "convert_")


def never_runs(module: str) -> bool:
    if module in NEVER_RUN:
        return True
    leaf = module.rpartition(".")[2]
    return module.startswith("transformers.models.") and leaf.startswith(TEMPLATE_PREFIXES)


@dataclass
class Families:
    """The outcome: families to bundle (with the module that first needed each) and to drop."""

    needed: dict[str, str] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    modules: dict[str, Path] = field(default_factory=dict)

    def needed_modules(self) -> list[str]:
        """Every module inside the needed families (for ``hiddenimports``)."""
        return sorted(
            name
            for name in self.modules
            if not never_runs(name)
            and any(name == fam or name.startswith(fam + ".") for fam in self.needed)
        )


def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not an installed package")
    return Path(next(iter(spec.submodule_search_locations)))


def walk_modules(package: str) -> dict[str, Path]:
    """Module name -> source file, for every ``.py`` under ``package`` (nothing imported)."""
    root = package_dir(package)
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def family_of(module: str, families: set[str]) -> str | None:
    for root in FAMILY_ROOTS:
        if module.startswith(root + "."):
            candidate = ".".join(module.split(".")[: root.count(".") + 2])
            return candidate if candidate in families else None
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return any(isinstance(node, ast.Name) and node.id == "TYPE_CHECKING" for node in ast.walk(test))


def _runtime_nodes(nodes: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """Every node, skipping the bodies of ``if TYPE_CHECKING:`` (they never run)."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_nodes(node.orelse)
            continue
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _runtime_nodes([child])
            else:
                yield from ast.walk(child)


def imported_names(module: str, path: Path) -> Iterator[tuple[str, str | None]]:
    """(absolute module, imported name or None) for each run-time import in the file."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _runtime_nodes(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, alias.name


def _lazy_target(package: str, name: str) -> str | None:
    """The submodule that defines ``package.name`` according to the package's lazy table."""
    if package not in LAZY_PACKAGES:
        return None
    try:
        table = getattr(importlib.import_module(package), "_class_to_module", {})
    except Exception:  # an optional backend missing at build time: nothing to resolve
        return None
    relative = table.get(name)
    return f"{package}.{relative}" if relative else None


def find_families(seed_packages: Iterable[str], always: Iterable[str] = ()) -> Families:
    """The families reachable from ``seed_packages`` plus the libraries' core, and the rest."""
    modules: dict[str, Path] = {}
    for package in (*LIBRARIES, *seed_packages):
        modules.update(walk_modules(package))
    families = {
        name
        for name, path in modules.items()
        if path.name == "__init__.py" and name.rpartition(".")[0] in FAMILY_ROOTS
    }
    result = Families(modules=modules)
    queue = [name for name in modules if family_of(name, families) is None]
    for family in always:
        result.needed[family] = "always"
        queue.extend(name for name in modules if family_of(name, families) == family)
    seen = set(queue)
    while queue:
        module = queue.pop()
        if never_runs(module):
            continue
        for target, name in imported_names(module, modules[module]):
            candidates = [target]
            if name is not None:
                candidates.append(f"{target}.{name}")
                lazy = _lazy_target(target, name)
                while lazy is not None:
                    candidates.append(lazy)
                    lazy = _lazy_target(lazy, name)
            for candidate in candidates:
                family = family_of(candidate, families)
                if family is None or family in result.needed or family in NOT_FOLLOWED:
                    continue
                result.needed[family] = module
                fresh = [m for m in modules if family_of(m, families) == family and m not in seen]
                seen.update(fresh)
                queue.extend(fresh)
    result.unused = sorted(families - result.needed.keys())
    return result


if __name__ == "__main__":
    found = find_families(["sdstudio"], always=["transformers.models.clip"])
    for family, reason in sorted(found.needed.items()):
        print(f"needed  {family}  (from {reason})")
    print(f"unused  {len(found.unused)} families")
    kept = sum(found.modules[name].stat().st_size for name in found.needed_modules())
    dropped = sum(
        path.stat().st_size
        for name, path in found.modules.items()
        if any(name == fam or name.startswith(fam + ".") for fam in found.unused)
    )
    print(f"sources: {kept / 1e6:.1f} MB kept, {dropped / 1e6:.1f} MB dropped")
