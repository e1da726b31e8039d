"""The installed PySide6 keeps Python's counts of None and True: a long session must not abort.

PySide6-Essentials 6.12.0 (which pyproject.toml excludes) drops one reference to None on
every call of a void Qt method and one to True on every ``emit(True)`` to a slot. On Python
3.11, where None and True are not immortal, an ordinary session (a 20-step run makes a few
hundred such calls) then ends in "Fatal Python error: none_dealloc". The calls run in a
process of their own because such a version aborts it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

CALLS = 1000  # below None's count in a fresh process, so a leaking version reports numbers
EMITS = 100  # likewise below True's count
MARGIN = 10  # objects made on the way may keep a few references

COUNT_REFERENCES = f"""
import json, sys
import PySide6
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

class Relay(QObject):
    fired = Signal(bool)

    @Slot(bool)
    def take(self, value):
        pass

app = QApplication([])
widget, relay = QWidget(), Relay()
relay.fired.connect(relay.take)
none_before = sys.getrefcount(None)
for _ in range({CALLS}):
    widget.setEnabled(True)
none_after = sys.getrefcount(None)
true_before = sys.getrefcount(True)
for _ in range({EMITS}):
    relay.fired.emit(True)
true_after = sys.getrefcount(True)
print(json.dumps({{"version": PySide6.__version__, "none": none_after - none_before,
                  "true": true_after - true_before}}), flush=True)
"""


def test_void_calls_and_bool_signals_keep_none_and_true_alive() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", COUNT_REFERENCES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert lines, done.stderr[-3000:]
    counted = json.loads(lines[-1])
    assert counted["none"] > -MARGIN, (
        f"PySide6 {counted['version']} lost {-counted['none']} references to None "
        f"in {CALLS} calls of QWidget.setEnabled"
    )
    assert counted["true"] > -MARGIN, (
        f"PySide6 {counted['version']} lost {-counted['true']} references to True "
        f"in {EMITS} emits of a bool signal"
    )
    assert done.returncode == 0, done.stderr[-3000:]
