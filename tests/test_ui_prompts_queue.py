"""The window's "Queue prompts from file…": one queued job per line, on top of the settings."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QPlainTextEdit, QToolButton

from sdstudio.ui.queue.prompts_dialog import MAX_JOBS
from tests.ui_support import make_queue_window, wait_until_queue_finished

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    win = make_queue_window(qtbot, demo_model, tmp_path / "out")
    win.controls.prompt_edit.setPlainText("the window's prompt")
    return win


def test_three_lines_of_a_file_save_three_pictures_with_their_settings(window, qtbot, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text(
        "# three shapes\n"
        '--prompt "a red circle" --steps 2 --seed 11\n'
        "\n"
        "--prompt 'a blue square, on the left' --steps 3 --seed 12\n"
        "--prompt 'a green triangle' --steps 4 --seed 13\n",
        encoding="utf-8",
    )
    dialog = window.open_prompts_dialog()
    assert dialog.objectName() == "promptsDialog"
    assert dialog.load_file(prompts)
    text_box = dialog.findChild(QPlainTextEdit, "promptsText")
    assert text_box.toPlainText().startswith("# three shapes\n")
    assert dialog.ok_button.text() == "Queue 3 jobs"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert window.queue.model.rowCount() == 3
    wait_until_queue_finished(qtbot, window, 3)
    assert window.queue.model.count("done") == 3
    infotexts = []
    for path in sorted((tmp_path / "out").glob("*.png")):  # numbered in the order saved
        with Image.open(path) as image:
            infotexts.append(image.info["parameters"])
    assert [text.splitlines()[0] for text in infotexts] == [
        "a red circle",
        "a blue square, on the left",
        "a green triangle",
    ]
    for text, steps, seed in zip(infotexts, (2, 3, 4), (11, 12, 13), strict=True):
        assert f"Steps: {steps}," in text and f"Seed: {seed}," in text


def test_a_bad_line_is_named_and_nothing_is_queued(window, qtbot) -> None:
    dialog = window.open_prompts_dialog()
    dialog.set_text("a red circle\n--prompt 'a square' --steps many\n")
    assert dialog.ok_button.text() == "Queue 2 jobs"  # counted as typed, checked when queued
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.message_label.text() == ("Line 2: argument --steps: invalid int value: 'many'")
    assert window.queue.model.rowCount() == 0


def test_an_empty_file_or_too_many_lines_is_a_message(window, tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    dialog = window.open_prompts_dialog()
    assert not dialog.ok_button.isEnabled()
    assert dialog.load_file(empty)
    assert not dialog.ok_button.isEnabled()
    assert dialog.message_label.text() == (
        "empty.txt has no prompts (blank lines and # comments only)"
    )
    many = tmp_path / "many.txt"
    many.write_text("a cat\n" * (MAX_JOBS + 1), encoding="utf-8")
    assert dialog.load_file(many)
    assert not dialog.ok_button.isEnabled()
    assert f"at most {MAX_JOBS} at once" in dialog.message_label.text()
    assert not dialog.load_file(tmp_path / "missing.txt")
    assert "Prompts file not found" in dialog.message_label.text()
    assert window.queue.model.rowCount() == 0


def test_the_action_is_in_the_queue_panel_and_the_file_menu(window) -> None:
    action = window.prompts.action
    assert action.objectName() == "queuePromptsFileAction"
    assert action in window.window_actions.file_menu.actions()
    button = window.queue_panel.findChild(QToolButton, "queuePromptsFileActionButton")
    assert button is not None and button.defaultAction() is action


def test_the_action_opens_the_dialog_with_its_file_chooser(window, qtbot) -> None:
    window.prompts.action.trigger()
    dialog = window.findChild(QDialog, "promptsDialog")
    assert dialog is not None and dialog.isVisible()
    chooser = dialog.findChild(QFileDialog)
    assert chooser is not None
    chooser.reject()
    dialog.reject()


def test_lines_without_a_seed_each_draw_one_when_random_is_on(window) -> None:
    window.controls.seed_row.random_check.setChecked(True)
    dialog = window.open_prompts_dialog()
    dialog.set_text("a red circle\n--steps 5\n")
    jobs = dialog.jobs()
    assert [job.request.prompt for job in jobs] == ["a red circle", "the window's prompt"]
    assert [job.request.steps for job in jobs] == [3, 5]
    assert jobs[0].request.seed != jobs[1].request.seed
    dialog.reject()
