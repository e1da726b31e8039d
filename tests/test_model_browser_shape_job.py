"""ShapeJobRunner: traces off the GUI thread, reported on it; the newest request wins."""

from __future__ import annotations

import threading

from sdstudio.engine.modules import NodeKind, ShapeSpec, TreeNode
from sdstudio.ui.model_browser import shape_job
from sdstudio.ui.model_browser.shape_job import SUPERSEDED, ShapeJobRunner


def test_a_request_queued_behind_a_newer_one_is_skipped(qtbot, monkeypatch) -> None:
    release = threading.Event()
    traced: list[ShapeSpec] = []

    def fake_capture(root: TreeNode, spec: ShapeSpec) -> dict:
        # The first trace holds the only thread until released: bounded only against a
        # hang, since a loaded machine that stalls the test past the bound would let the
        # second request run before the third is queued.
        release.wait(60)
        traced.append(spec)
        return {"width": spec.width}

    monkeypatch.setattr(shape_job, "capture_tree_shapes", fake_capture)
    runner = ShapeJobRunner()
    finished: dict[int, object] = {}
    failed: dict[int, str] = {}
    runner.finished.connect(lambda job, shapes: finished.__setitem__(job, shapes))
    runner.failed.connect(lambda job, message: failed.__setitem__(job, message))
    root = TreeNode("pipeline", NodeKind.ROOT)
    jobs = [runner.start(root, ShapeSpec(width, 64)) for width in (64, 128, 192)]
    release.set()
    qtbot.waitUntil(lambda: jobs[2] in finished, timeout=5000)
    assert finished[jobs[2]] == {"width": 192}
    assert failed[jobs[1]] == SUPERSEDED
    assert ShapeSpec(128, 64) not in traced
    runner.shutdown()


def test_a_trace_that_fails_is_reported_with_its_error(qtbot, monkeypatch) -> None:
    def broken(root: TreeNode, spec: ShapeSpec) -> dict:
        raise ValueError("no meta kernel")

    monkeypatch.setattr(shape_job, "capture_tree_shapes", broken)
    runner = ShapeJobRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        job = runner.start(TreeNode("pipeline", NodeKind.ROOT), ShapeSpec(64, 64))
    assert blocker.args == [job, "ValueError: no meta kernel"]
    runner.shutdown()
    with qtbot.assertNotEmitted(runner.failed, wait=200):  # after shutdown: nothing runs
        runner.start(TreeNode("pipeline", NodeKind.ROOT), ShapeSpec(64, 64))
