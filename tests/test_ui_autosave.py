"""Autosave through the window: numbered PNGs carrying their settings; cancelled runs save none."""

from __future__ import annotations

from datetime import date

from PIL import Image

from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.saving import record_of, save_finished
from sdstudio.engine.metadata import MetadataSource, parse_infotext, read_metadata
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.worker_events import ModelReady, RunDone, RunProgress
from tests.ui_support import WAIT_MS, generate_and_wait, make_window, wait_for


def test_a_finished_image_is_saved_with_its_parameters(qtbot, demo_model, tmp_path) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out", steps=3)
    window.controls.prompt_edit.setPlainText("a lighthouse, at dusk")
    window.controls.negative_edit.setPlainText("blurry")
    window.controls.scheduler_combo.setCurrentText("Euler")
    window.controls.seed_row.random_check.setChecked(False)
    window.controls.seed_row.set_seed(1234)
    with qtbot.waitSignal(window.resultShown, timeout=WAIT_MS) as shown:
        assert window.generate()
    qtbot.waitUntil(lambda: not window.worker.busy, timeout=WAIT_MS)
    path = shown.args[0].path
    assert path == tmp_path / "out" / "00001-1234.png"
    assert window.statusBar().currentMessage() == f"Saved image to {path}"
    with Image.open(path) as saved:
        parameters = saved.info["parameters"]
    infotext = parse_infotext(parameters)
    assert infotext.prompt == "a lighthouse, at dusk"
    assert infotext.negative_prompt == "blurry"
    assert infotext.params["Steps"] == "3"
    assert infotext.params["Sampler"] == "Euler"
    assert infotext.params["Seed"] == "1234"
    assert infotext.params["Size"] == "64x64"
    assert infotext.params["Model"] == "demo"
    metadata = read_metadata(path)
    assert metadata.source is MetadataSource.SDSTUDIO
    assert metadata.record.preview["kind"] == "latent"  # the preview settings are recorded
    assert metadata.record.model_path == str(demo_model.source)


def test_without_an_output_dir_images_go_to_todays_folder(qtbot, demo_model, sdstudio_home):
    window = MainWindow(device="cpu")
    qtbot.addWidget(window)
    with wait_for(qtbot, window.worker, ModelReady):
        window.use_model(demo_model)
    window.controls.size_row.set_size(64, 64)
    window.controls.steps_spin.setValue(2)
    window.controls.preview_combo.setCurrentIndex(window.controls.preview_combo.findData("none"))
    generate_and_wait(qtbot, window)
    generate_and_wait(qtbot, window)
    folder = sdstudio_home / "outputs" / date.today().isoformat()
    names = sorted(path.name for path in folder.iterdir())
    assert [name[:6] for name in names] == ["00001-", "00002-"]
    assert read_metadata(folder / names[1]).record.preview["kind"] == "none"


def test_a_cancelled_run_saves_nothing(qtbot, demo_model, tmp_path) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    window.controls.steps_spin.setValue(60)
    with wait_for(qtbot, window.worker, RunProgress):
        assert window.generate()
    with wait_for(qtbot, window.worker, RunDone):
        window.cancel()
    assert window.statusBar().currentMessage().startswith("Cancelled after step")
    saved = list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else []
    assert saved == []
    assert window.history.model.rowCount() == 0


def test_saving_a_result_never_overwrites(demo_model, tmp_path) -> None:
    job = Job(GenerationRequest("x", width=64, height=64, seed=7), saving=SaveOptions(tmp_path))
    finished = ImageFinished(Image.new("RGB", (64, 64), (9, 9, 9)), seed=7)
    record = record_of(job, demo_model, finished)
    first = save_finished(job, finished, record)
    second = save_finished(job, finished, record)
    assert (first.name, second.name) == ("00001-7.png", "00002-7.png")
    with Image.open(second) as saved:
        assert saved.format == "PNG" and saved.getpixel((0, 0)) == (9, 9, 9)
    assert read_metadata(first).record.seed == 7
