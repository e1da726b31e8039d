"""The LoRAs and embeddings panel and the prompt token counters, driven through their widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPlainTextEdit
from safetensors.torch import save_file

from sdstudio.engine.networks.library import NetworkKind
from sdstudio.ui.networks.panel import NetworksPanel
from tests.networks_fixtures import training_metadata, write_embedding

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # a shown panel, offscreen


@pytest.fixture
def folders(tmp_path: Path) -> dict[NetworkKind, list[Path]]:
    loras, embeddings = tmp_path / "loras", tmp_path / "embeddings"
    loras.mkdir()
    save_file(
        {"w": torch.zeros(1)}, str(loras / "shapes.safetensors"), metadata=training_metadata()
    )
    save_file({"w": torch.zeros(1)}, str(loras / "ink_lines.safetensors"))
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.red)
    image.save(str(loras / "shapes.preview.png"))
    write_embedding(embeddings / "glossy.pt", 16)
    return {NetworkKind.LORA: [loras], NetworkKind.EMBEDDING: [embeddings]}


@pytest.fixture
def panel(qtbot, folders):
    prompt = QPlainTextEdit()
    widget = NetworksPanel(prompt, folders)
    qtbot.addWidget(prompt)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3)
    return widget


def _names(panel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def test_the_model_passes_qtmodeltester(qtmodeltester, panel) -> None:
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.proxy)


def test_every_file_is_listed_with_its_thumbnail(panel) -> None:
    assert _names(panel) == ["ink_lines", "shapes", "glossy"]
    shapes = panel.proxy.index(1, 0)
    assert shapes.data(Qt.ItemDataRole.DecorationRole) is not None
    assert panel.proxy.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None


def test_search_matches_names_and_trigger_words(qtbot, panel) -> None:
    qtbot.keyClicks(panel.search, "RED CIRCLE")
    assert _names(panel) == ["shapes"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "ink")
    assert _names(panel) == ["ink_lines"]


def test_the_kind_filter_shows_only_embeddings(panel) -> None:
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findText("Embeddings"))
    assert _names(panel) == ["glossy"]


def _click(qtbot, panel, row: int) -> None:
    rect = panel.list.visualRect(panel.proxy.index(row, 0))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_click_writes_the_lora_tag_at_the_sliders_weight(qtbot, panel) -> None:
    panel._prompt.setPlainText("a red circle")
    cursor = panel._prompt.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    panel._prompt.setTextCursor(cursor)
    panel.weight_slider.setValue(70)
    panel.show()
    _click(qtbot, panel, 1)
    assert panel._prompt.toPlainText() == "a red circle <lora:shapes:0.7>"
    assert "Trigger words: red circle, shapes, blue" in panel.details.text()
    assert "Base model: sd_v1" in panel.details.text()


def test_a_click_on_an_embedding_writes_its_name(qtbot, panel) -> None:
    panel.show()
    _click(qtbot, panel, 2)
    assert panel._prompt.toPlainText() == "glossy"


def test_an_empty_library_says_where_files_go(qtbot, tmp_path) -> None:
    prompt = QPlainTextEdit()
    empty = {NetworkKind.LORA: [tmp_path / "none"], NetworkKind.EMBEDDING: [tmp_path / "no"]}
    widget = NetworksPanel(prompt, empty)
    qtbot.addWidget(prompt)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: "No LoRAs or embeddings yet" in widget.empty_label.text())
    assert str(tmp_path / "none") in widget.empty_label.text()


def test_token_counters_follow_typing(qtbot, demo_model) -> None:
    from sdstudio.engine.prompts.token_count import PromptCounter
    from sdstudio.ui.controls_panel import ControlsPanel
    from sdstudio.ui.token_counters import PromptTokenCounters

    controls = ControlsPanel()
    qtbot.addWidget(controls)
    pairs = [
        (controls.prompt_edit, controls.prompt_counter),
        (controls.negative_edit, controls.negative_counter),
    ]
    counters = PromptTokenCounters(pairs, controls)
    counters.set_counter(PromptCounter.for_pipeline(demo_model.pipeline))
    assert controls.prompt_counter.text() == "0/75"
    qtbot.keyClicks(controls.prompt_edit, "a (red:1.3) circle <lora:shapes:0.5>")
    qtbot.waitUntil(lambda: controls.prompt_counter.text() == "3/75")
    controls.prompt_edit.setPlainText(" ".join(["a red circle"] * 30))
    qtbot.waitUntil(lambda: controls.prompt_counter.text() == "90/150 · 2 chunks")
    assert controls.negative_counter.text() == "0/75"


def test_the_window_offers_the_panel_as_a_tab_beside_the_settings(qtbot, demo_model, tmp_path):
    from tests.ui_support import make_window

    window = make_window(qtbot, demo_model, tmp_path / "out")
    dock = window.findChild(type(window.history_dock), "networksDock")
    assert dock.windowTitle() == "LoRAs"
    assert dock in window.tabifiedDockWidgets(window.settings_dock)
    assert dock.widget().objectName() == "networksPanel"
