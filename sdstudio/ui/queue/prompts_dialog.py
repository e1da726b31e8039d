"""The "Queue prompts from file…" action: A1111's "Prompts from file or textbox" in the window.

The dialog's text box holds one job per line, typed or read from a file: a prompt, or
options for that job only, as ``sdstudio generate --prompts-file`` reads them
(:mod:`sdstudio.engine.jobs.prompt_lines`, shared with the CLI). Each line becomes one
queued job on top of the settings of the moment, built as Generate builds one. Every line is
checked before anything is queued; a bad one is named by its number and nothing is queued.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.job import Job
from sdstudio.engine.jobs.prompt_lines import (
    line_error,
    line_requests,
    prompt_lines,
    read_prompts_text,
)

MAX_JOBS = 1000  # lines queued at once from the window (the CLI takes more)
MAX_FILE_BYTES = 4 * 1024 * 1024  # a text box of more is no prompts list
TEXT_FILTER = "Text files (*.txt);;All files (*)"
INTRO = (
    "One job per line, on top of the current settings: a prompt, or options for that job "
    'only, as on the command line (--prompt "a cat" --steps 30 --seed 5). Blank lines and '
    "lines starting with # are skipped."
)
PLACEHOLDER = 'a red circle\n--prompt "a blue square" --steps 30 --seed 5'
EMPTY = "Type one prompt per line, or open a file."
REPLACED = "Bytes of {name} that are not UTF-8 text were replaced by U+FFFD."

BuildRequest = Callable[[], GenerationRequest]
BuildJob = Callable[[GenerationRequest], Job]
QueueJobs = Callable[[list[Job]], bool]


class PromptsDialog(QDialog):
    """``promptsText``, ``promptsOpenButton`` (fills the text from a file),
    ``promptsMessageLabel`` and the OK button, which says how many jobs it will queue.

    ``base_request()`` gives the current settings (called once per line, so a random seed
    is drawn for each; it may raise :class:`RequestError`), ``job_for(request)`` the job
    Generate would queue for it (may raise too), and ``queue_jobs(jobs)`` queues them in
    order (False: nothing was queued, it said why). The dialog closes once they are queued.
    """

    def __init__(
        self,
        base_request: BuildRequest,
        job_for: BuildJob,
        queue_jobs: QueueJobs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("promptsDialog")
        self.setWindowTitle("Queue Prompts")
        self._base_request = base_request
        self._job_for = job_for
        self._queue_jobs = queue_jobs
        self._name = ""  # the file the text came from, for messages
        self._note = ""  # said beside the count (bytes replaced when read)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.text_edit = QPlainTextEdit(objectName="promptsText")
        self.text_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text_edit.setPlaceholderText(PLACEHOLDER)
        self.open_button = QPushButton("Open file…", objectName="promptsOpenButton")
        self.open_button.setToolTip("Fill the text from a prompts file (one job per line)")
        self.message_label = QLabel(objectName="promptsMessageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text_edit, 1)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.resize(640, 420)
        self.open_button.clicked.connect(self.choose_file)
        self.text_edit.textChanged.connect(self._check)
        self._check()

    # -- filling the text ----------------------------------------------------------------

    @Slot()
    def choose_file(self) -> QFileDialog:
        """A non-blocking file dialog; the chosen file fills the text."""
        dialog = QFileDialog(self, "Queue prompts from file", "", TEXT_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.load_file)
        dialog.open()
        return dialog

    @Slot(str)
    def load_file(self, path: str | Path) -> bool:
        """Fill the text from ``path``; False (the message says why, the text is kept) for
        a file that is missing, unreadable, binary or too large."""
        try:
            text = read_prompts_text(path, errors="replace", max_bytes=MAX_FILE_BYTES)
        except RequestError as error:
            self.message_label.setText(str(error))
            return False
        name = Path(path).expanduser().name
        self._name, self._note = name, REPLACED.format(name=name) if "\ufffd" in text else ""
        self.text_edit.setPlainText(text)  # checked at once (textChanged)
        return True

    def set_text(self, text: str) -> None:
        """Type ``text`` as a user would (no file name in messages)."""
        self._name, self._note = "", ""
        self.text_edit.setPlainText(text)

    # -- checking and queueing -----------------------------------------------------------

    @Slot()
    def _check(self) -> None:
        """Count the job lines as typed (each is checked in full when queued)."""
        text = self.text_edit.toPlainText()
        if not text.strip() and not self._name:
            self._refuse(EMPTY)
            return
        try:
            count = len(prompt_lines(text, self._name or "The text", MAX_JOBS))
        except RequestError as error:
            self._refuse(str(error))
            return
        jobs = "1 job" if count == 1 else f"{count} jobs"
        self.message_label.setText(" ".join(filter(None, [f"{jobs} to queue.", self._note])))
        self.ok_button.setEnabled(True)
        self.ok_button.setText(f"Queue {jobs}")

    def _refuse(self, message: str) -> None:
        self.message_label.setText(message)
        self.ok_button.setEnabled(False)
        self.ok_button.setText("Queue")

    def jobs(self) -> list[Job]:
        """One job per line, in order; a :class:`RequestError` names the first bad line."""
        jobs = []
        for number, request in line_requests(
            self._base_request, self.text_edit.toPlainText(), self._name, MAX_JOBS
        ):
            try:
                jobs.append(self._job_for(request))  # ControlNet units can refuse a size
            except RequestError as error:
                raise line_error(self._name, number, error) from None
        return jobs

    def accept(self) -> None:
        """Queue the lines only when every one can run; otherwise say why and stay open."""
        try:
            jobs = self.jobs()
        except RequestError as error:
            self.message_label.setText(str(error))
            return
        if not self._queue_jobs(jobs):
            self.message_label.setText("Nothing was queued: no model can run the jobs yet.")
            return
        super().accept()


class PromptsQueue(QObject):
    """The "Queue prompts from file…" action (``queuePromptsFileAction``): it opens a
    :class:`PromptsDialog` and its file chooser. The arguments are the dialog's."""

    def __init__(
        self,
        base_request: BuildRequest,
        job_for: BuildJob,
        queue_jobs: QueueJobs,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._base_request = base_request
        self._job_for = job_for
        self._queue_jobs = queue_jobs
        self._parent = parent
        self.action = QAction("Queue prompts from file…", parent)
        self.action.setObjectName("queuePromptsFileAction")
        self.action.setToolTip(
            "Queue one job per line of a text file (or typed text), each on top of the "
            "current settings, as A1111's \u201cPrompts from file or textbox\u201d"
        )
        self.action.triggered.connect(lambda: self.open(choose_file=True))

    def open(self, choose_file: bool = False) -> PromptsDialog:
        """Show the dialog (and, with ``choose_file``, the file chooser over it)."""
        dialog = PromptsDialog(self._base_request, self._job_for, self._queue_jobs, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        if choose_file:
            dialog.choose_file()
        return dialog
