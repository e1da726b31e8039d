"""The queue between jobs: the idle gap, and the GUI's responsiveness while 10 jobs run.

Offscreen, the real window and worker, demo model at its native size, 20 steps, latent
previews; 10 jobs queued with Generate at once. Prints, for each pair of consecutive jobs:

- step gap: from one job's last step to the next job's first step, as the window sees the
  steps (it includes the last job's VAE decode and PNG save; goal <= 50 ms);
- worker idle: from the worker finishing one job to it starting the next (the queue's own
  cost: the round trip through the window's event loop);

and the lateness of a 10 ms GUI timer over the whole queue (goal: p99 <= 30 ms).

    python benchmarks/queue_gap.py [--jobs 10] [--steps 20] [--preview latent]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from gui_timer import TimerLateness, describe, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--preview", default="latent", choices=["none", "latent", "taesd", "vae"])
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("SDSTUDIO_HOME", tempfile.mkdtemp(prefix="sdstudio-bench-"))
    from PySide6.QtCore import QEventLoop, QTimer

    from sdstudio.engine.generation import denoising
    from sdstudio.engine.jobs import runner as job_runner
    from sdstudio.ui.app import create_application
    from sdstudio.ui.main_window import MainWindow
    from sdstudio.ui.worker_events import RunDone, RunProgress

    spans: list[tuple[float, float]] = []  # (start, end) of each job on the worker thread
    original_run_job = job_runner.run_job

    worker_steps: list[tuple[float, float]] = []  # (first, last) step of each job, worker-side

    def timed_run_job(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202  (run_job's own)
        from sdstudio.engine.generation.events import StepEvent

        start = time.perf_counter()
        first = last = 0.0
        try:
            for event in original_run_job(*args, **kwargs):
                if isinstance(event.payload, StepEvent):
                    last = time.perf_counter()
                    first = first or last
                yield event
        finally:
            spans.append((start, time.perf_counter()))
            worker_steps.append((first, last))

    job_runner.run_job = timed_run_job  # the worker looks it up for each job
    unet_starts: list[float] = []  # when each UNet call begins, worker-side
    original_run_unet = denoising._run_unet

    def timed_run_unet(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        unet_starts.append(time.perf_counter())
        return original_run_unet(*args, **kwargs)

    denoising._run_unet = timed_run_unet

    app = create_application()
    window = MainWindow(device="cpu")
    window.show()
    controls = window.controls
    controls.preview_combo.setCurrentIndex(controls.preview_combo.findData(args.preview))
    controls.scheduler_combo.setCurrentText("Euler")

    def wait_until(done, timeout_s: float = 900) -> None:
        """Run the event loop (sleeping between events, as the app does) until ``done()``."""
        loop = QEventLoop()
        check = QTimer(interval=25)
        check.timeout.connect(lambda: done() and loop.quit())
        check.start()
        QTimer.singleShot(round(timeout_s * 1000), loop.quit)
        if not done():
            loop.exec()
        check.stop()

    window.load_model("demo")
    wait_until(lambda: window.worker.model_ready)

    # Warm-up: first-run costs (lazy imports, fitting the latent preview map) are not measured.
    steps_of: dict[str, list[tuple[int, int, float]]] = {}
    done: list[str] = []
    window.worker.on(
        RunProgress,
        lambda e: steps_of.setdefault(e.job_id, []).append((e.step, e.total, time.perf_counter())),
    )
    window.worker.on(RunDone, lambda e: done.append(e.job_id))
    controls.steps_spin.setValue(2)
    window.generate()
    wait_until(lambda: len(done) == 1)
    spans.clear()
    unet_starts.clear()
    worker_steps.clear()
    steps_of.clear()
    done.clear()

    timer = TimerLateness()
    controls.steps_spin.setValue(args.steps)
    order: list[str] = []
    timer.start()
    started = time.perf_counter()
    for number in range(args.jobs):
        controls.prompt_edit.setPlainText(f"a red circle on the left, job {number}")
        window.generate()
        order.append(window.queue.model.jobs()[-1].job.id)
    wait_until(lambda: len(done) == args.jobs)
    elapsed = time.perf_counter() - started
    late = timer.stop()

    step_gaps = []
    for before, after in zip(order, order[1:], strict=False):
        last = steps_of[before][-1][2]
        first = steps_of[after][0][2]
        step_gaps.append((first - last) * 1000)
    idle = [(b[0] - a[1]) * 1000 for a, b in zip(spans, spans[1:], strict=False)]
    model_gaps = [
        (b[0] - a[1]) * 1000 for a, b in zip(worker_steps, worker_steps[1:], strict=False)
    ]
    unet_idle = []  # from a job's last step to the next job's first UNet call
    for (_, last), (first, _) in zip(worker_steps, worker_steps[1:], strict=False):
        starts = [t for t in unet_starts if last < t <= first]
        unet_idle.append((starts[0] - last) * 1000)

    import torch

    side = window.controls.size_row.width_spin.value()
    print(
        f"demo {side}x{side}, {args.jobs} jobs x {args.steps} steps, previews {args.preview}, "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}; {elapsed:.1f} s"
    )
    print(
        f"UNet idle    median {statistics.median(unet_idle):6.1f} ms   max {max(unet_idle):6.1f} ms"
        f"   (last step's end to the next job's first UNet call; goal <= 50 ms: "
        f"{'met' if max(unet_idle) <= 50 else 'NOT met'})"
    )
    print(
        f"step events  median {statistics.median(model_gaps):6.1f} ms   "
        f"max {max(model_gaps):6.1f} ms   (last step's end to the first step's end, worker)"
    )
    print(
        f"  as shown   median {statistics.median(step_gaps):6.1f} ms   "
        f"max {max(step_gaps):6.1f} ms   (the same two steps' arrival in the window)"
    )
    print(f"worker idle  median {statistics.median(idle):6.1f} ms   max {max(idle):6.1f} ms")
    print(
        f"GUI timer    {describe(late)}   (goal p99 <= 30 ms: "
        f"{'met' if percentile(late, 0.99) <= 30 else 'NOT met'})"
    )
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
