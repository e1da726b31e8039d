"""GUI responsiveness during a generation: how late a 10 ms timer on the GUI thread fires.

Offscreen, the real window and worker, demo model, 512 × 512, 20 steps, latent previews.
Prints p50 / p99 / max lateness of the timer (goal: p99 <= 30 ms on 2 cores), first while
idle, then while generating.

    python benchmarks/ui_latency.py [--size 512] [--steps 20] [--preview latent]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from gui_timer import TimerLateness, describe, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--preview", default="latent", choices=["none", "latent", "taesd", "vae"])
    parser.add_argument("--idle-seconds", type=float, default=2.0)
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    from PySide6.QtCore import QEventLoop, QTimer

    from sdstudio.ui.app import create_application
    from sdstudio.ui.main_window import MainWindow
    from sdstudio.ui.worker_events import ModelReady, RunDone, StepPreview

    app = create_application()
    window = MainWindow(device="cpu")
    window.show()
    controls = window.controls
    controls.preview_combo.setCurrentIndex(controls.preview_combo.findData(args.preview))
    controls.prompt_edit.setPlainText("a lighthouse on a cliff at sunset")
    controls.scheduler_combo.setCurrentText("Euler")

    def wait_for(kind: type, timeout_s: float = 600) -> None:
        loop = QEventLoop()
        window.worker.on(kind, lambda _event: loop.quit())
        QTimer.singleShot(round(timeout_s * 1000), loop.quit)
        loop.exec()

    window.load_model("demo")
    if not window.worker.model_ready:
        wait_for(ModelReady)

    # Warm-up: first-run costs (lazy imports, fitting the latent preview map) are not measured.
    controls.size_row.set_size(64, 64)
    controls.steps_spin.setValue(2)
    window.generate()
    wait_for(RunDone)

    timer = TimerLateness()

    def report(label: str, late: list[float]) -> None:
        print(f"{label:<11} {describe(late)}")

    timer.start()
    idle = QEventLoop()
    QTimer.singleShot(round(args.idle_seconds * 1000), idle.quit)
    idle.exec()
    idle_late = timer.stop()

    previews = []
    window.worker.on(StepPreview, lambda event: previews.append(event.frame.step))
    controls.size_row.set_size(args.size, args.size)
    controls.steps_spin.setValue(args.steps)
    timer.start()
    started = time.perf_counter()
    window.generate()
    wait_for(RunDone)
    elapsed = time.perf_counter() - started
    busy_late = timer.stop()

    import torch

    print(
        f"demo {args.size}x{args.size}, {args.steps} steps, previews {args.preview}, "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}"
    )
    report("idle", idle_late)
    report("generating", busy_late)
    print(f"generation {elapsed:.1f} s, {len(previews)} previews reached the GUI")
    print(f"goal: p99 <= 30 ms -> {'met' if percentile(busy_late, 0.99) <= 30 else 'NOT met'}")
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
