"""The History dock: new results first, the output folder's images lazily, and their actions."""

from __future__ import annotations

import os
import re
from datetime import datetime

import pytest
from PIL import Image
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QListView

from sdstudio.engine.metadata import GenerationRecord, save_generation
from sdstudio.ui.history.caption import when_text
from sdstudio.ui.history.model import PAGE_SIZE, HistoryRole
from sdstudio.ui.history.thumbnails import THUMBNAIL_SIDE
from tests.ui_support import WAIT_MS, generate_and_wait, make_window


def _fill_folder(folder, count: int, colour=(200, 40, 40)) -> list:
    """``count`` small PNGs, the last one newest; returns their paths oldest first."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = folder / f"{number:05d}-{number}.png"
        Image.new("RGB", (96, 80), colour).save(path)
        os.utime(path, ns=(number * 10**9, number * 10**9))
        paths.append(path)
    return paths


def _thumbnail_loaded(view: QListView, row: int) -> bool:
    icon = view.model().index(row, 0).data(Qt.ItemDataRole.DecorationRole)
    return icon.availableSizes() != [] and icon.pixmap(128).toImage().pixelColor(40, 40).red() > 150


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    return make_window(qtbot, demo_model, tmp_path / "out")


def _view(window) -> QListView:
    return window.findChild(QListView, "historyList")


def _select(window, row: int) -> None:
    view = _view(window)
    view.setCurrentIndex(view.model().index(row, 0))


def test_new_results_appear_first(window, qtbot, tmp_path) -> None:
    view = _view(window)
    assert view.isVisible() and view.viewMode() == QListView.ViewMode.IconMode
    assert view.model().rowCount() == 0
    generate_and_wait(qtbot, window)
    first = window.result().path
    generate_and_wait(qtbot, window)
    second = window.result().path
    model = view.model()
    assert model.rowCount() == 2
    assert [model.index(row, 0).data(HistoryRole.PATH) for row in (0, 1)] == [
        str(second),
        str(first),
    ]
    icon = model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)
    assert icon.pixmap(128).width() > 0


def test_folder_images_follow_and_are_read_lazily(qtbot, demo_model, tmp_path) -> None:
    paths = _fill_folder(tmp_path / "out" / "2024-01-02", PAGE_SIZE * 2 + 10)
    window = make_window(qtbot, demo_model, tmp_path / "out")
    view = _view(window)
    model = view.model()
    loaded: list[str] = []
    model.thumbnails.loaded.connect(lambda path, image: loaded.append(path))
    assert model.index(0, 0).data(HistoryRole.PATH) == str(paths[-1])  # newest first
    assert model.rowCount() < len(paths)  # listed a page at a time
    qtbot.waitUntil(lambda: _thumbnail_loaded(view, 0), timeout=WAIT_MS)
    assert len(loaded) < PAGE_SIZE  # only thumbnails the view showed were decoded
    generate_and_wait(qtbot, window)
    assert model.index(0, 0).data(HistoryRole.PATH) == str(window.result().path)
    assert model.index(1, 0).data(HistoryRole.PATH) == str(paths[-1])


def test_clicking_an_image_shows_it_on_the_canvas(qtbot, demo_model, tmp_path) -> None:
    _fill_folder(tmp_path / "out", 1, colour=(20, 40, 220))
    window = make_window(qtbot, demo_model, tmp_path / "out")
    view = _view(window)
    rect = view.visualRect(view.model().index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown = window.canvas.current_pixmap().toImage()
    assert (shown.width(), shown.height()) == (96, 80)
    colour = shown.pixelColor(10, 10)
    assert (colour.red(), colour.green(), colour.blue()) == (20, 40, 220)


def test_restore_settings_from_the_context_menu(window, qtbot, tmp_path) -> None:
    record = GenerationRecord("a red kite", "fog", steps=9, cfg_scale=4.5, seed=77, width=96)
    save_generation(Image.new("RGB", (96, 512)), record, tmp_path / "out")
    window.history.model.reload_folder()
    _select(window, 0)
    actions = {action.objectName(): action for action in _view(window).actions()}
    assert {"restoreAction", "useAsInitAction", "openFolderAction", "copyImageAction"} <= set(
        actions
    )
    with qtbot.waitSignal(window.state.message):  # the file is read in the background
        actions["restoreAction"].trigger()
    controls = window.controls
    assert controls.prompt_edit.toPlainText() == "a red kite"
    assert controls.negative_edit.toPlainText() == "fog"
    assert (controls.steps_spin.value(), controls.cfg_spin.value()) == (9, 4.5)
    assert controls.seed_row.seed() == 77 and not controls.seed_row.random_check.isChecked()
    assert controls.size_row.dimensions() == (96, 512)
    assert window.statusBar().currentMessage() == "Restored the settings of 00001-77.png."


def test_use_a_result_as_the_init_image(window, qtbot) -> None:
    generate_and_wait(qtbot, window)
    _select(window, 0)
    window.history.init_action.trigger()
    assert window.init_images.image() is not None
    assert window.init_images.image().size == (64, 64)
    assert window.controls.strength_row.spin.isEnabled()  # the img2img loop is ready


def test_use_a_folder_image_as_the_init_image(qtbot, demo_model, tmp_path) -> None:
    _fill_folder(tmp_path / "out", 1)
    window = make_window(qtbot, demo_model, tmp_path / "out")
    _select(window, 0)
    with qtbot.waitSignal(window.init_images.opened):
        window.history.init_action.trigger()
    assert window.init_images.image().size == (96, 80)


def test_copy_image(window, qtbot) -> None:
    generate_and_wait(qtbot, window)
    _select(window, 0)
    window.history.copy_action.trigger()
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (64, 64)
    QGuiApplication.clipboard().clear()


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_containing_folder(window, qtbot) -> None:
    generate_and_wait(qtbot, window)
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "catch")
    try:
        _select(window, 0)
        window.history.open_folder_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in catcher.urls] == [str(window.result().path.parent)]


def test_move_to_trash(window, qtbot, tmp_path, monkeypatch) -> None:
    # Qt finds the trash from HOME and XDG_DATA_HOME: keep it inside the test's folder.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    generate_and_wait(qtbot, window)
    path = window.result().path
    _select(window, 0)
    window.history.delete_action.trigger()
    message = window.statusBar().currentMessage()
    if message.startswith("Could not move"):  # a platform without a trash keeps the file
        assert path.exists() and window.history.model.rowCount() == 1
    else:
        assert message == f"Moved {path.name} to the trash"
        assert not path.exists() and window.history.model.rowCount() == 0
        assert list((tmp_path / "data" / "Trash" / "files").iterdir())[0].name == path.name


def _cell_has_text_under_the_picture(view: QListView, row: int) -> bool:
    """Pixels darker than the background below the thumbnail of ``row``."""
    rect = view.visualRect(view.model().index(row, 0))
    shot = view.viewport().grab(rect).toImage()
    below = range(THUMBNAIL_SIDE + 8, shot.height())
    return any(shot.pixelColor(x, y).lightness() < 160 for y in below for x in range(shot.width()))


def test_each_thumbnail_is_captioned_with_prompt_seed_and_time(window, qtbot) -> None:
    controls = window.controls
    controls.prompt_edit.setPlainText("a quiet harbour at dawn, " * 4)
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(4242)
    generate_and_wait(qtbot, window)
    view = _view(window)

    prompt, when = view.model().index(0, 0).data().split("\n")

    assert prompt.startswith("a quiet harbour at dawn, a quiet") and prompt.endswith("…")
    assert re.fullmatch(r"seed 4242 · \d\d:\d\d", when)
    tooltip = view.model().index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith(("a quiet harbour at dawn, " * 4).strip())
    assert _cell_has_text_under_the_picture(view, 0)


def test_folder_images_are_captioned_from_their_stored_settings(qtbot, demo_model, tmp_path):
    out = tmp_path / "out"
    record = GenerationRecord("a green square", steps=5, seed=31337, width=96, height=80)
    save_generation(Image.new("RGB", (96, 80), (200, 40, 40)), record, out)
    Image.new("RGB", (96, 80), (200, 40, 40)).save(out / "plain.png")  # says nothing
    window = make_window(qtbot, demo_model, out)
    view = _view(window)
    model = view.model()

    qtbot.waitUntil(lambda: _thumbnail_loaded(view, 0) and _thumbnail_loaded(view, 1))

    captions = {model.index(row, 0).data() for row in range(2)}
    today = datetime.now()
    mtime = datetime.fromtimestamp((out / "plain.png").stat().st_mtime)
    assert captions == {
        f"a green square\nseed 31337 · {when_text(mtime, today)}",
        f"plain.png\n{when_text(mtime, today)}",
    }


def test_a_new_result_brings_the_history_forward_from_behind_a_tab(window, qtbot) -> None:
    browser = window.inspection.browser
    window.tabifyDockWidget(browser, window.history_dock)
    browser.raise_()
    assert window.history_dock.visibleRegion().isEmpty()  # waiting behind the browser

    generate_and_wait(qtbot, window)

    assert not window.history_dock.visibleRegion().isEmpty()
    assert browser.visibleRegion().isEmpty()


def test_a_new_result_never_takes_the_field_being_typed_in(window, qtbot) -> None:
    browser = window.inspection.browser
    window.tabifyDockWidget(browser, window.history_dock)
    browser.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    field = browser.findChild(QLineEdit, "modelFilter")
    field.setFocus()
    qtbot.keyClicks(field, "attn")

    generate_and_wait(qtbot, window)

    assert QApplication.focusWidget() is field and field.isVisible()
    assert window.history_dock.visibleRegion().isEmpty()
    assert window.history.model.rowCount() == 1  # it is there, one click away
