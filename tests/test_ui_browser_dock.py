"""The model browser in the main window: the loaded model's tree, presets, clean close."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QTextBrowser, QTreeView

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.worker_events import ModelLoading, ModelReady
from tests.ui_support import WAIT_MS, make_window, wait_for

CROSS_ATTENTION = "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2"


def browser_status(window: MainWindow) -> str:
    return window.findChild(QLabel, "modelShapesStatus").text()


def top_rows(window: MainWindow) -> list[str]:
    model = window.findChild(QTreeView, "modelTree").model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


@pytest.fixture
def window(qtbot, demo_model, tmp_path) -> MainWindow:
    win = make_window(qtbot, demo_model, tmp_path / "out")  # then 64×64: traced again
    shapes_at_64 = "Output shapes at 64×64"
    qtbot.waitUntil(lambda: browser_status(win).startswith(shapes_at_64), timeout=WAIT_MS)
    return win


def test_the_browser_and_the_probes_are_full_height_tabs_behind_the_settings(window) -> None:
    settings = window.findChild(QDockWidget, "settingsDock")
    browser = window.findChild(QDockWidget, "modelBrowserDock")
    activations = window.findChild(QDockWidget, "activationsDock")
    attention = window.findChild(QDockWidget, "attentionDock")

    for dock in (browser, activations, attention):
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
        assert dock in window.tabifiedDockWidgets(settings)
        assert dock.visibleRegion().isEmpty()  # the settings are in front
    browser.raise_()
    assert not browser.visibleRegion().isEmpty() and settings.visibleRegion().isEmpty()
    assert browser.height() == settings.height()  # the whole height is the browser's
    panels = [action.text() for action in window.window_actions.panels_menu.actions()]
    assert {"Model browser", "Activations", "Attention"} <= set(panels)


def test_the_browser_shows_the_loaded_demo_model_with_shapes_for_the_chosen_size(window):
    assert top_rows(window) == ["text_encoder", "unet", "vae", "tokenizer", "scheduler"]
    assert browser_status(window).startswith("Output shapes at 64×64")
    assert window.inspection.browser.select_path("unet.conv_in")
    details = window.findChild(QTextBrowser, "modelDetails").toPlainText()
    assert "Output\n2×32×8×8" in details


def test_cross_attention_shows_keys_and_values_from_the_text(window) -> None:
    assert window.inspection.browser.select_path(CROSS_ATTENTION)
    details = window.findChild(QTextBrowser, "modelDetails").toPlainText()

    assert "Cross-attention: the queries (Q) come from the image" in details
    assert "to_k\nin_features=64 → out_features=64\ntext\n2×77×64 → 2×77×64" in details
    assert "to_v\nin_features=64 → out_features=64\ntext\n2×77×64" in details
    assert window.inspection.watch_action.isEnabled()


def test_a_preset_architecture_can_be_browsed_but_not_watched(window, qtbot) -> None:
    source = window.findChild(QComboBox, "modelSource")
    source.setCurrentIndex(source.findData("sd15"))
    source.activated.emit(source.currentIndex())
    qtbot.waitUntil(lambda: browser_status(window).startswith("Output shapes at"), timeout=WAIT_MS)

    assert top_rows(window)[:3] == ["text_encoder", "unet", "vae"]
    assert window.inspection.browser.select_path("unet.mid_block")
    assert "1280" in window.findChild(QTextBrowser, "modelDetails").toPlainText()
    assert not window.inspection.watch_action.isEnabled()


def test_while_a_model_loads_the_browser_says_so(qtbot, tmp_path) -> None:
    window = MainWindow(output_dir=tmp_path, device="cpu")
    qtbot.addWidget(window)
    window.show()
    assert browser_status(window) == "No model loaded."
    seen: list[tuple[str, list[str]]] = []
    window.worker.on(  # runs after the browser's own handler
        ModelLoading, lambda _event: seen.append((browser_status(window), top_rows(window)))
    )
    with wait_for(qtbot, window.worker, ModelReady):
        window.load_model("demo")
    assert seen == [("Loading model…", [])]
    qtbot.waitUntil(lambda: browser_status(window).startswith("Output shapes at"), timeout=WAIT_MS)
    assert top_rows(window) == ["text_encoder", "unet", "vae", "tokenizer", "scheduler"]


def test_closing_while_shapes_are_traced_stops_cleanly(qtbot, demo_model, tmp_path) -> None:
    window = MainWindow(output_dir=tmp_path, device="cpu")
    qtbot.addWidget(window)
    window.show()
    with wait_for(qtbot, window.worker, ModelReady):
        window.use_model(demo_model)

    assert window.close()
    assert not window.worker.running  # the autouse fixture also checks no thread is left
