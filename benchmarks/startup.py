"""Start-up time: from launching the process to the window on screen (goal <= 1.5 s).

Each run starts a fresh Python process that opens the real window the way ``sdstudio`` does
(``create_application`` + ``create_window``), which then loads the demo model in its worker
thread. Prints, per run and as medians: process start -> window shown (first paint), and
process start -> model ready.

    python benchmarks/startup.py [--runs 3] [--platform offscreen]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def child(launched_at: float) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer

    from sdstudio.ui.app import create_application, create_window
    from sdstudio.ui.worker_events import ModelFailed, ModelReady

    times: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "shown" not in times:
                # Once this batch of paint events is handled, the window is on screen.
                QTimer.singleShot(0, lambda: times.setdefault("shown", time.time() - launched_at))
            return False

    app = create_application()
    painted = FirstPaint()
    app.installEventFilter(painted)
    window = create_window(None, None, None)

    def model_ready() -> None:
        times["ready"] = time.time() - launched_at
        window.close()

    window.worker.on(ModelReady, lambda _event: model_ready())
    window.worker.on(ModelFailed, lambda _event: window.close())
    QTimer.singleShot(300_000, window.close)
    app.exec()  # returns when the window closes
    print(json.dumps(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return

    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    env.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    # One untimed run warms the OS file cache.
    warm_up = [sys.executable, __file__, "--child", str(time.time())]
    subprocess.run(warm_up, env=env, check=True, capture_output=True)
    shown, ready = [], []
    for run in range(args.runs):
        launched_at = time.time()
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(launched_at)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        times = json.loads(output.strip().splitlines()[-1])
        shown.append(times["shown"])
        ready.append(times["ready"])
        print(f"run {run + 1}: window shown {times['shown']:.2f} s, ready {times['ready']:.2f} s")
    print(f"platform {args.platform}, {os.cpu_count()} CPUs")
    print(
        f"median: window shown {statistics.median(shown):.2f} s (goal <= 1.5 s), "
        f"model ready {statistics.median(ready):.2f} s"
    )


if __name__ == "__main__":
    main()
