"""The PyInstaller spec's invariants, read from its source (nothing is built here)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "sdstudio.spec"


@pytest.fixture(scope="module")
def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def _calls(tree: ast.Module, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def _keyword(call: ast.Call, name: str) -> ast.expr:
    matches = [keyword.value for keyword in call.keywords if keyword.arg == name]
    assert matches, f"{ast.unparse(call.func)}() has no {name}="
    return matches[0]


def _lazy_families():
    """packaging/lazy_families.py (``packaging`` itself is the PyPI library's name)."""
    spec = importlib.util.spec_from_file_location(
        "lazy_families", ROOT / "packaging" / "lazy_families.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("lazy_families", module)
    spec.loader.exec_module(module)
    return module


def test_no_absolute_paths(spec_tree) -> None:
    strings = [
        node.value
        for node in ast.walk(spec_tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    absolute = [s for s in strings if re.match(r"^(/[^/]|~|[A-Za-z]:[\\/])", s) and not s.isspace()]
    assert not absolute
    assert "SPECPATH" in {n.id for n in ast.walk(spec_tree) if isinstance(n, ast.Name)}


def test_onedir_without_upx(spec_tree) -> None:
    (exe,) = _calls(spec_tree, "EXE")
    (collect,) = _calls(spec_tree, "COLLECT")
    assert ast.literal_eval(_keyword(exe, "exclude_binaries")) is True  # onedir: COLLECT has them
    for call in (exe, collect):
        assert ast.literal_eval(_keyword(call, "upx")) is False
    assert ast.literal_eval(_keyword(collect, "name")) == "sdstudio"


def test_resources_bundled_where_the_code_looks_when_frozen(spec_tree, monkeypatch) -> None:
    pairs = [
        node
        for node in ast.walk(spec_tree)
        if isinstance(node, ast.Tuple)
        and len(node.elts) == 2
        and isinstance(node.elts[1], ast.Constant)
        and node.elts[1].value == "resources"
    ]
    assert pairs and "resources" in ast.unparse(pairs[0].elts[0])
    assert (ROOT / "resources" / "architectures" / "sd15.json").is_file()

    from sdstudio.engine.resources import resources_dir

    assert resources_dir() == ROOT / "resources"
    monkeypatch.setattr(sys, "_MEIPASS", str(ROOT / "bundle"), raising=False)
    assert resources_dir() == ROOT / "bundle" / "resources"


def test_torch_keeps_its_sources_and_hidden_imports_are_computed(spec_tree) -> None:
    (analysis,) = _calls(spec_tree, "Analysis")
    modes = ast.literal_eval(_keyword(analysis, "module_collection_mode"))
    assert modes["torch"] == "pyz+py"
    assert "collect_submodules('sdstudio')" in ast.unparse(_keyword(analysis, "hiddenimports"))
    entry = ast.unparse(analysis.args[0])
    assert "entry_point.py" in entry and (ROOT / "packaging" / "entry_point.py").is_file()


def test_scripts_are_executable() -> None:
    for name in ("build.sh", "smoke.sh"):
        assert os.access(ROOT / "packaging" / name, os.X_OK), name


def test_family_scan_skips_type_checking_and_resolves_relative_imports(tmp_path) -> None:
    families = _lazy_families()
    source = tmp_path / "pipeline_x.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from ..flux import FluxPipeline\n"
        "if TYPE_CHECKING:\n"
        "    from ..wan import WanPipeline\n"
        "else:\n"
        "    from ...models import UNet2DConditionModel\n"
        "def later():\n"
        "    from transformers import CLIPTextModel\n",
        encoding="utf-8",
    )
    found = set(families.imported_names("diffusers.pipelines.sd.pipeline_x", source))
    assert ("diffusers.pipelines.flux", "FluxPipeline") in found
    assert ("diffusers.models", "UNet2DConditionModel") in found
    assert ("transformers", "CLIPTextModel") in found
    assert not any(target.endswith("wan") for target, _ in found)


def test_family_scan_knows_what_never_runs() -> None:
    families = _lazy_families()
    assert families.never_runs("transformers.models.llama.modular_llama")
    assert families.never_runs("diffusers.pipelines.auto_pipeline")
    assert not families.never_runs("transformers.models.clip.modeling_clip")
    assert not families.never_runs("diffusers.modular_pipelines.modular_pipeline")


def test_the_unused_file_filter_keeps_what_torch_and_qt_load(spec_tree) -> None:
    (assign,) = [
        node
        for node in spec_tree.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "UNUSED_FILES"
    ]
    unused = re.compile(ast.literal_eval(assign.value.args[0]))
    for dropped in (
        "torch/bin/test_api",
        "torch/bin/protoc",
        "torch/test/c10_small_vector_test",
        "torch/lib/libtorchbind_test.so",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "libQt6QmlModels.so.6",
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    ):
        assert unused.search(dropped), dropped
    for kept in (
        "torch/bin/torch_shm_manager",  # `import torch` fails without it
        "torch/lib/libtorch_cpu.so",
        "torch/_inductor/kernel/flex/templates/flex_attention.py.jinja",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    ):
        assert not unused.search(kept), kept
