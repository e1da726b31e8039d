"""The model picker: switch to a folder, refuse bad choices while the current model stays usable."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QSpinBox

from sdstudio.engine.metadata import read_metadata
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.worker_events import ModelFailed, ModelProgress, ModelReady, RunFailed
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, shown_window, wait_for

# Dialogs on the offscreen platform: it cannot pass size hints on, and says so.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture(scope="session")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A diffusers folder, as a user would have one (the demo's tiny weights)."""
    from tests.random_sd_model import build_random_sd_pipeline

    folder = tmp_path_factory.mktemp("models-elsewhere") / "tiny-sd"
    build_random_sd_pipeline().save_pretrained(folder)
    return folder


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    return make_window(qtbot, demo_model, tmp_path / "out", steps=2)


def _activate(window, text: str) -> None:
    """Pick an entry of ``modelCombo`` as a click would."""
    combo = window.controls.model_combo
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _answer_file_dialog(window, name: str, path: Path) -> None:
    dialog = window.findChild(QFileDialog, name)
    assert dialog is not None and dialog.isVisible()
    dialog.fileSelected.emit(str(path))  # what choosing the file does
    dialog.close()


def _combo_texts(window) -> list[str]:
    combo = window.controls.model_combo
    return [combo.itemText(i) for i in range(combo.count())]


def _assert_demo_still_works(window, qtbot) -> None:
    assert window.controls.model_combo.currentText() == "Demo model"
    assert window.worker.model_ready and window.run_bar.generate_button.isEnabled()
    generate_and_wait(qtbot, window)
    assert read_metadata(window.result().path).record.model_name == "demo"


def test_the_picker_offers_the_demo_and_ways_to_open_a_model(window) -> None:
    assert _combo_texts(window) == [
        "Demo model",
        "Demo inpainting model",
        "",  # separator
        "Open folder…",
        "Open checkpoint file…",
        "From hub id…",
    ]
    menu_texts = [action.text() for action in window.model_picker.menu.actions()]
    assert "Open Model Folder…" in menu_texts and "Model CPU Offload" in menu_texts


def test_open_a_folder_switches_models(window, qtbot, demo_model, model_folder, tmp_path):
    stages: list[str] = []
    window.worker.on(ModelProgress, lambda _: stages.append(window.run_bar.progress_bar.format()))
    _activate(window, "Open folder…")
    assert window.controls.model_combo.currentText() == "Demo model"  # until one is chosen
    with wait_for(qtbot, window.worker, ModelReady):
        _answer_file_dialog(window, "modelFolderDialog", model_folder)
    assert "Reading tiny-sd" in stages
    assert window.controls.model_combo.currentText() == "tiny-sd"
    assert window.controls.model_label.text().startswith("tiny-sd (Stable Diffusion 1.x) on ")
    generate_and_wait(qtbot, window)
    record = read_metadata(window.result().path).record
    assert (record.model_name, record.model_path) == ("tiny-sd", str(model_folder))
    assert demo_model.is_loaded  # a model handed in by the caller is never unloaded
    settings = SettingsStore()
    assert settings.last_model == str(model_folder)
    assert settings.recent_models == [str(model_folder)]

    # Back to the demo through the combo; the folder stays listed as a recent model.
    with wait_for(qtbot, window.worker, ModelReady):
        _activate(window, "Demo model")
    assert "tiny-sd" in _combo_texts(window)
    assert SettingsStore().last_model == "demo"


def test_a_recent_model_is_offered_and_loaded_at_the_next_start(
    qtbot, demo_model, model_folder, tmp_path
) -> None:
    SettingsStore().remember_model(str(model_folder))
    window = MainWindow(output_dir=tmp_path / "out", device="cpu")
    qtbot.addWidget(window)
    assert _combo_texts(window)[:3] == ["Demo model", "Demo inpainting model", "tiny-sd"]
    window.show()
    with wait_for(qtbot, window.worker, ModelReady) as ready:
        window.start()
    assert ready.args[0].name == "tiny-sd"
    assert window.controls.model_combo.currentText() == "tiny-sd"


def test_a_remembered_model_that_is_gone_falls_back_to_the_demo(qtbot, demo_model, tmp_path):
    SettingsStore().remember_model(str(tmp_path / "deleted-model"))
    window = shown_window(qtbot, tmp_path / "out")
    with wait_for(qtbot, window.worker, ModelFailed):
        window.start()
    with wait_for(qtbot, window.worker, ModelReady) as ready:
        pass
    assert ready.args[0].name == "demo"
    message = window.statusBar().currentMessage()
    assert message.startswith("Model not found") and "deleted-model" in message
    assert message.endswith("Loaded the demo model instead.")
    assert window.controls.model_combo.currentText() == "Demo model"


class _Payload:
    """Unpickling this would create a file: the proof that the pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_checkpoint_is_refused_and_the_demo_stays(window, qtbot, tmp_path) -> None:
    marker = tmp_path / "payload-ran"
    checkpoint = tmp_path / "evil.ckpt"
    checkpoint.write_bytes(pickle.dumps({"state_dict": _Payload(marker)}))
    _activate(window, "Open checkpoint file…")
    with wait_for(qtbot, window.worker, ModelReady):  # the demo, kept
        _answer_file_dialog(window, "checkpointDialog", checkpoint)
    assert not marker.exists()
    message = window.statusBar().currentMessage()
    assert "evil.ckpt is a pickle-based checkpoint" in message and "safetensors" in message
    assert "evil.ckpt" not in _combo_texts(window)
    _assert_demo_still_works(window, qtbot)


def test_a_folder_that_is_not_a_model_is_a_message(window, qtbot, tmp_path) -> None:
    (tmp_path / "holiday-photos").mkdir()
    with wait_for(qtbot, window.worker, ModelFailed) as failed:
        window.model_picker.ask_folder()
        _answer_file_dialog(window, "modelFolderDialog", tmp_path / "holiday-photos")
    qtbot.waitUntil(lambda: window.worker.model_ready, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == failed.args[0].message
    assert "holiday-photos" in failed.args[0].message
    _assert_demo_still_works(window, qtbot)


def test_a_hub_id_offline_is_a_message(window, qtbot) -> None:
    _activate(window, "From hub id…")
    dialog = window.findChild(QInputDialog, "hubIdDialog")
    dialog.setTextValue("  someone/some-model ")
    with wait_for(qtbot, window.worker, ModelFailed) as failed:
        dialog.accept()
    assert "Cannot download someone/some-model" in failed.args[0].message
    assert "HF_HUB_OFFLINE" in failed.args[0].message
    qtbot.waitUntil(lambda: window.worker.model_ready, timeout=WAIT_MS)
    _assert_demo_still_works(window, qtbot)


def test_download_progress_wording_and_throttle() -> None:
    from sdstudio.engine.models.load_progress import LoadProgress, LoadStage
    from sdstudio.ui.load_progress_relay import LoadProgressRelay, describe_load_progress

    downloading = LoadProgress(LoadStage.DOWNLOADING, "Downloading a/b", 1_500_000, 2_130_000_000)
    assert describe_load_progress(downloading) == "Downloading a/b: 1.5 MB of 2.13 GB"
    sent: list[LoadProgress] = []
    relay = LoadProgressRelay(sent.append, interval_s=3600)
    for done in range(0, 1001, 100):
        relay(LoadProgress(LoadStage.DOWNLOADING, "Downloading a/b", done, 1000))
    relay(LoadProgress(LoadStage.READING, "Reading b"))
    # The first report, the last byte and the new stage get through; the rest are dropped.
    assert [(p.stage, p.done) for p in sent] == [
        (LoadStage.DOWNLOADING, 0),
        (LoadStage.DOWNLOADING, 1000),
        (LoadStage.READING, None),
    ]


def test_out_of_memory_is_a_message_and_the_next_run_works(window, qtbot, monkeypatch) -> None:
    from sdstudio.engine.jobs import generation_payloads

    real_generate = generation_payloads.generate

    def out_of_memory(*args, **kwargs):
        monkeypatch.setattr(generation_payloads, "generate", real_generate)  # only this once
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        yield  # a generator, like the real one

    monkeypatch.setattr(generation_payloads, "generate", out_of_memory)
    with wait_for(qtbot, window.worker, RunFailed) as failed:
        assert window.generate()
    assert failed.args[0].message.startswith("Out of memory during generation.")
    assert "CPU offload" in failed.args[0].message
    qtbot.waitUntil(lambda: not window.worker.busy, timeout=WAIT_MS)
    _assert_demo_still_works(window, qtbot)


def test_each_model_brings_its_native_size(window, qtbot, model_folder) -> None:
    spins = (window.findChild(QSpinBox, "widthSpin"), window.findChild(QSpinBox, "heightSpin"))
    _activate(window, "Open folder…")
    with wait_for(qtbot, window.worker, ModelReady):
        _answer_file_dialog(window, "modelFolderDialog", model_folder)
    assert [spin.value() for spin in spins] == [512, 512]  # an SD 1.x-shaped model
    with wait_for(qtbot, window.worker, ModelReady):
        _activate(window, "Demo model")
    assert [spin.value() for spin in spins] == [128, 128]


def test_an_sdxl_folder_loads_with_its_family_and_size_and_generates(
    window, qtbot, tmp_path_factory
) -> None:
    from tests.random_sdxl_model import build_random_sdxl_pipeline

    folder = tmp_path_factory.mktemp("models-xl") / "tiny-sdxl"
    build_random_sdxl_pipeline().save_pretrained(folder, safe_serialization=True)
    spins = (window.findChild(QSpinBox, "widthSpin"), window.findChild(QSpinBox, "heightSpin"))
    _activate(window, "Open folder…")
    with wait_for(qtbot, window.worker, ModelReady):
        _answer_file_dialog(window, "modelFolderDialog", folder)
    label = window.findChild(QLabel, "modelDescriptionLabel")
    assert "tiny-sdxl (Stable Diffusion XL)" in label.text()
    assert [spin.value() for spin in spins] == [256, 256]
    presets = [action.text() for action in window.controls.size_row.preset_button.menu().actions()]
    assert presets[0] == "Square 256 × 256 (native)"
    assert {"Landscape 1344 × 768", "Portrait 640 × 1536"} <= set(presets)  # SDXL's buckets
    generate_and_wait(qtbot, window)
    pixmap = window.canvas.current_pixmap()
    assert (pixmap.width(), pixmap.height()) == (256, 256)
