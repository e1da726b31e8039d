"""The model browser shows each ControlNet of the ControlNet folder: its module tree with
parameter counts and output shapes traced on meta (no weights read), and its modules can be
watched as ``controlnet.…``, the name of a run's first unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QTextBrowser
from safetensors.torch import save_file

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.controlnet.library import controlnet_dir
from sdstudio.engine.modules import ShapeSpec, apply_shapes, capture_tree_shapes
from sdstudio.engine.modules.controlnet_architecture import controlnet_architecture
from sdstudio.ui.model_browser import ModelBrowserDock, ModuleTreeModel
from sdstudio.ui.probes.watch_action import WatchModuleAction
from sdstudio.ui.probes.watch_list import WatchList
from sdstudio.ui.worker_events import ModelReady
from tests.random_controlnet import build_random_controlnet
from tests.ui_support import WAIT_MS, make_window, wait_for

FOLDER_NAME = "browse-tiny"
FILE_NAME = "browse-tiny-file"


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=4)


@pytest.fixture
def installed(tiny_controlnet) -> Path:
    """The tiny ControlNet as a diffusers folder in the ControlNet folder."""
    folder = controlnet_dir() / FOLDER_NAME
    if not (folder / "config.json").is_file():
        tiny_controlnet.save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture
def single_file(tiny_controlnet) -> Path:
    """The same weights as one ``.safetensors`` file, diffusers' key names, no config."""
    path = controlnet_dir() / f"{FILE_NAME}.safetensors"
    if not path.is_file():
        save_file({k: v.contiguous() for k, v in tiny_controlnet.state_dict().items()}, path)
    return path


@pytest.fixture
def dock(qtbot, demo_model, installed) -> ModelBrowserDock:
    dock = ModelBrowserDock()
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.shapes_ready, timeout=20_000):
        dock.set_pipeline(demo_model.pipeline, shapes_for=(64, 64), label="demo")
    yield dock
    dock.shutdown()


def _choose(qtbot, dock: ModelBrowserDock, label: str, open_list: bool = False) -> None:
    """Pick ``label`` in the source list as a user does, and wait for its shapes."""
    source = dock.findChild(QComboBox, "modelSource")
    if open_list:
        source.showPopup()
        source.hidePopup()
    with qtbot.waitSignal(dock.shapes_ready, timeout=20_000):
        source.setCurrentIndex(source.findText(label))
        source.activated.emit(source.currentIndex())


def _status(dock: ModelBrowserDock) -> str:
    return dock.findChild(QLabel, "modelShapesStatus").text()


def _details(dock: ModelBrowserDock) -> str:
    return dock.findChild(QTextBrowser, "modelDetails").toPlainText()


def test_the_tree_passes_the_model_tester_and_counts_every_parameter(
    qtmodeltester, installed, tiny_controlnet
) -> None:
    root = controlnet_architecture(installed).tree()
    model = ModuleTreeModel(root)

    qtmodeltester.check(model)
    [component] = root.children
    assert (component.name, component.type_name) == ("controlnet", "ControlNetModel")
    assert component.param_count == sum(p.numel() for p in tiny_controlnet.parameters())


def test_shapes_are_traced_with_a_control_image_at_eight_times_the_latent_size(
    installed,
) -> None:
    root = controlnet_architecture(installed).tree()
    apply_shapes(root, capture_tree_shapes(root, ShapeSpec(64, 96)))

    embedding = root.find("controlnet.controlnet_cond_embedding").shape_record
    assert embedding.inputs[0] == ("conditioning", (2, 3, 96, 64))
    assert embedding.outputs[0][1] == (2, 32, 12, 8)  # the latent grid, first-level channels
    assert root.find("controlnet.controlnet_mid_block").shape_record.outputs[0][1] == (
        2,
        64,
        6,
        4,
    )


def test_the_source_list_offers_the_folders_controlnets(dock: ModelBrowserDock) -> None:
    source = dock.findChild(QComboBox, "modelSource")

    assert source.findText(f"ControlNet: {FOLDER_NAME}") > 0
    assert source.itemText(0) == "Loaded model"


def test_a_controlnet_shows_its_modules_at_the_loaded_models_size_without_weights(
    qtbot, dock: ModelBrowserDock
) -> None:
    _choose(qtbot, dock, f"ControlNet: {FOLDER_NAME}")

    assert [child.name for child in dock.root().children] == ["controlnet"]
    assert _status(dock).startswith("Output shapes at 64×64")
    assert dock.select_path("controlnet.down_blocks.0")
    details = _details(dock)
    assert "Path\ncontrolnet.down_blocks.0" in details
    assert "Output\n0: 2×32×4×4" in details  # then its skip outputs
    assert "Device / dtype\nmeta / float32" in details  # built from its config only


# The offscreen platform cannot give a popup the keyboard; the list opens all the same.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_controlnet_copied_in_later_is_listed_when_the_list_opens(
    qtbot, dock: ModelBrowserDock, tiny_controlnet
) -> None:
    source = dock.findChild(QComboBox, "modelSource")
    later = controlnet_dir() / "browse-later"
    assert source.findText("ControlNet: browse-later") < 0
    tiny_controlnet.save_pretrained(later, safe_serialization=True)

    _choose(qtbot, dock, "ControlNet: browse-later", open_list=True)

    assert dock.showing_controlnet()


def test_a_single_file_needs_a_loaded_model(qtbot, single_file: Path) -> None:
    dock = ModelBrowserDock()
    qtbot.addWidget(dock)

    assert not dock.show_controlnet(single_file)
    assert _status(dock) == (
        f"The ControlNet {FILE_NAME} is a single file, read into the loaded model's UNet "
        "architecture: load a model to browse it."
    )
    assert dock.root().children == []
    dock.shutdown()


def test_a_single_file_is_shown_as_the_loaded_model_reads_it(
    qtbot, dock: ModelBrowserDock, single_file: Path, tiny_controlnet
) -> None:
    _choose(qtbot, dock, f"ControlNet: {FILE_NAME}")

    [component] = dock.root().children
    assert component.param_count == sum(p.numel() for p in tiny_controlnet.parameters())
    assert dock.select_path("controlnet.controlnet_cond_embedding.conv_in")
    assert "weight\n8×3×3×3 float32" in _details(dock)


def test_a_folder_that_is_no_controlnet_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-controlnet"
    folder.mkdir()
    (folder / "config.json").write_text('{"_class_name": "UNet2DConditionModel"}')

    with pytest.raises(ModelLoadError, match="its config.json says UNet2DConditionModel"):
        controlnet_architecture(folder)


def test_a_controlnets_module_is_offered_for_watching_as_the_first_units(
    qtbot, dock: ModelBrowserDock
) -> None:
    watch_list = WatchList()
    action = WatchModuleAction(dock, watch_list, dock)
    _choose(qtbot, dock, f"ControlNet: {FOLDER_NAME}")
    dock.select_path("controlnet.mid_block")

    assert action.isEnabled()
    assert "in its first unit" in action.toolTip()
    action.trigger()
    assert watch_list.paths == ("controlnet.mid_block",)


def test_a_watched_controlnet_module_stays_watched_when_a_model_loads(
    qtbot, demo_model, installed, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    inspection = window.inspection
    inspection.watch_list.add("controlnet.mid_block")
    inspection.watch_list.add("unet.mid_block")

    with wait_for(qtbot, window.worker, ModelReady, timeout=WAIT_MS):
        window.use_model(demo_model)

    assert inspection.watch_list.paths == ("controlnet.mid_block", "unet.mid_block")
