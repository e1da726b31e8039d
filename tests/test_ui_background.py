"""``run_in_background``: the job runs off the GUI thread, its outcome arrives on it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThreadPool

from sdstudio.ui.background import run_in_background


def test_a_result_arrives_on_the_gui_thread(qtbot) -> None:
    gui_thread = threading.get_ident()
    ran_on: list[int] = []
    seen: list[tuple[object, bool]] = []

    def op() -> int:
        ran_on.append(threading.get_ident())
        return 42

    receiver = QObject()
    handle = run_in_background(
        op, lambda value: seen.append((value, threading.get_ident() == gui_thread)), parent=receiver
    )
    with qtbot.waitSignal(handle.succeeded, timeout=5000) as blocker:
        pass
    assert blocker.args == [42]
    assert ran_on and ran_on[0] != gui_thread
    assert seen == [(42, True)]


def test_a_failure_arrives_on_the_gui_thread(qtbot) -> None:
    gui_thread = threading.get_ident()
    errors: list[tuple[str, bool]] = []

    def op() -> None:
        raise OSError("disk full")

    receiver = QObject()
    run_in_background(
        op,
        lambda _value: errors.append(("success?", False)),
        lambda error: errors.append((str(error), threading.get_ident() == gui_thread)),
        parent=receiver,
    )
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors == [("disk full", True)]


def test_nothing_is_called_once_the_receiver_is_deleted(qtbot) -> None:
    release = threading.Event()
    called: list[object] = []
    pool = QThreadPool()
    receiver = QObject()
    run_in_background(release.wait, called.append, called.append, parent=receiver, pool=pool)
    receiver.deleteLater()
    qtbot.waitUntil(lambda: _deleted(receiver), timeout=5000)
    release.set()
    pool.waitForDone()
    qtbot.wait(50)  # a queued delivery would run now
    assert called == []


def _deleted(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:
        return True
    return False
