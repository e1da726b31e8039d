"""Model browser timings: SDXL UNet tree fully expanded, and meta-device shape tracing.

Goals (issue 5): build the SDXL UNet tree model and expand every row in ≤ 300 ms; trace
SDXL's shapes on the meta device at 1024×1024 in ≤ 3 s. Prints figures; asserts nothing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/model_browser.py
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QModelIndex  # noqa: E402
from PySide6.QtWidgets import QApplication, QTreeView  # noqa: E402

from sdstudio.engine.modules import (  # noqa: E402
    ShapeSpec,
    capture_module_shapes,
    capture_tree_shapes,
    load_architecture,
    module_tree,
)
from sdstudio.ui.model_browser import Column, ModuleTreeModel  # noqa: E402


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """(best, median) wall time in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def count_rows(model: ModuleTreeModel, parent: QModelIndex, touch_cells: bool) -> int:
    rows = model.rowCount(parent)
    total = rows
    for row in range(rows):
        if touch_cells:
            for column in Column:
                model.index(row, column, parent).data()
        total += count_rows(model, model.index(row, 0, parent), touch_cells)
    return total


def main() -> None:
    app = QApplication.instance() or QApplication([])
    start = time.perf_counter()
    # The app has these imported (a model is loaded) before the browser opens.
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel  # noqa: F401
    from transformers import CLIPTextModel, CLIPTextModelWithProjection  # noqa: F401

    print(f"Importing the diffusers/transformers classes: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    sdxl = load_architecture("sdxl")
    print(f"SDXL preset on meta, first build in the process: {time.perf_counter() - start:.2f} s")

    def rebuild() -> None:
        load_architecture.cache_clear()
        load_architecture("sdxl")

    best, median = best_of(3, rebuild)
    print(
        f"SDXL preset on meta (4 components), rebuild: {best:.0f} ms best, {median:.0f} ms median"
    )
    unet = load_architecture("sdxl").components["unet"]
    view = QTreeView()
    view.resize(1000, 800)
    expanded_rows = 0

    def build_and_expand() -> None:
        nonlocal expanded_rows
        model = ModuleTreeModel(module_tree(unet, "unet").parent)
        view.setModel(model)
        view.expandAll()
        expanded_rows = count_rows(model, QModelIndex(), touch_cells=False)

    best, median = best_of(5, build_and_expand)
    print(f"SDXL UNet tree model + expand every row ({expanded_rows} rows): "
          f"{best:.0f} ms best, {median:.0f} ms median (goal ≤ 300 ms)")  # fmt: skip

    def build_expand_and_read() -> None:
        model = ModuleTreeModel(module_tree(unet, "unet").parent)
        view.setModel(model)
        view.expandAll()
        count_rows(model, QModelIndex(), touch_cells=True)

    best, median = best_of(5, build_expand_and_read)
    print(f"  … and reading every cell's text once: {best:.0f} ms best, {median:.0f} ms median")

    spec = ShapeSpec(1024, 1024)
    best, median = best_of(3, lambda: capture_module_shapes(unet, spec))
    print(f"Meta shape trace, SDXL UNet at 1024²: {best:.0f} ms best, {median:.0f} ms median")
    root = sdxl.tree()
    best, median = best_of(3, lambda: capture_tree_shapes(root, spec))
    print(f"Meta shape trace, all SDXL components at 1024²: {best:.0f} ms best, "
          f"{median:.0f} ms median (goal ≤ 3000 ms)")  # fmt: skip
    best, median = best_of(3, lambda: _rebuild_on_meta(unet))
    print(f"Meta copy for a loaded SDXL UNet (rebuild from its config): {best:.0f} ms best")
    app.processEvents()


def _rebuild_on_meta(module: object) -> object:
    """What ``meta_copy`` does for a loaded (non-meta) diffusers model."""
    import torch

    with torch.device("meta"):
        return type(module).from_config(module.config)


if __name__ == "__main__":
    main()
