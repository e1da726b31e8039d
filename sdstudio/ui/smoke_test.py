"""``sdstudio --smoke-test``: open the real window, generate one image through it, exit.

Packaged builds run this (``packaging/smoke.sh``) to prove that the frozen app starts Qt,
loads its model and generates. It touches only what a user would: the prompt box, the steps
and size fields and the Generate button, found by their objectNames. Exit code 0 means an
image was saved and reads back as a PNG of the asked size; anything else prints why.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image
from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QSpinBox, QWidget

from sdstudio.ui.app import create_application, create_window
from sdstudio.ui.excepthook import install_excepthook
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.qt import QEventLoop
from sdstudio.ui.worker_events import ModelFailed, ModelReady, RunFailed

SMOKE_PROMPT = "a lighthouse on a cliff at dusk"
SMOKE_STEPS = 4
SMOKE_SIDE = 256
TIMEOUT_S = 600.0

W = TypeVar("W", bound=QWidget)


class SmokeTestFailure(Exception):
    """The window did not produce a saved image; the message says what went wrong."""


class SmokeDriver:
    """Drives a window through one generation; any reported error fails the pending wait."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._pending: asyncio.Future[tuple[Any, ...]] | None = None
        self._failure: str | None = None
        # Connected now, before the event loop runs: a model that fails fast is not missed.
        window.worker.on(ModelFailed, lambda event: self.fail(event.message))
        window.worker.on(RunFailed, lambda event: self.fail(event.message))

    def fail(self, message: str, details: str = "") -> None:
        """Fail whatever the driver waits for, now or next (also the excepthook's reporter)."""
        self._failure = self._failure or message
        if self._pending is not None and not self._pending.done():
            self._pending.set_exception(SmokeTestFailure(message))

    def expect(
        self, signal: SignalInstance, accept: Callable[..., bool] = lambda *args: True
    ) -> asyncio.Future[tuple[Any, ...]]:
        """A future for the next arguments of ``signal`` that ``accept`` takes, connected
        now (before any click)."""
        future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        if self._failure is not None:
            future.set_exception(SmokeTestFailure(self._failure))
            return future
        self._pending = future

        def on_signal(*args: Any) -> None:
            if not future.done() and accept(*args):
                future.set_result(args)

        signal.connect(on_signal)
        future.add_done_callback(lambda _: signal.disconnect(on_signal))
        return future

    async def generate_once(self, prompt: str = SMOKE_PROMPT) -> Path:
        """Wait for the model, fill in the prompt, click Generate; the checked saved file."""
        window, worker = self.window, self.window.worker
        if not worker.model_ready:
            await self.expect(worker.event, lambda event: isinstance(event, ModelReady))
        _child(window, QPlainTextEdit, "promptEdit").setPlainText(prompt)
        _child(window, QSpinBox, "stepsSpin").setValue(SMOKE_STEPS)
        _child(window, QSpinBox, "widthSpin").setValue(SMOKE_SIDE)
        _child(window, QSpinBox, "heightSpin").setValue(SMOKE_SIDE)
        button = _child(window, QPushButton, "generateButton")
        if not button.isEnabled():
            raise SmokeTestFailure("the Generate button is disabled although the model is ready")
        shown = self.expect(window.resultShown)
        button.click()
        (result,) = await shown
        return check_saved_image(result.path, prompt, (SMOKE_SIDE, SMOKE_SIDE))


def _child(window: QWidget, kind: type[W], name: str) -> W:
    widget = window.findChild(kind, name)
    if widget is None:
        raise SmokeTestFailure(f"the window has no {kind.__name__} named {name!r}")
    return widget


def check_saved_image(path: Path | None, prompt: str, size: tuple[int, int]) -> Path:
    """``path`` must be a non-blank PNG of ``size``; metadata, if any, starts with ``prompt``."""
    if path is None:
        raise SmokeTestFailure("the image was generated but not saved")
    try:
        with Image.open(path) as image:
            image.load()
            found_format, found_size = image.format, image.size
            low, high = image.convert("L").getextrema()
            parameters = image.info.get("parameters")
    except OSError as error:
        raise SmokeTestFailure(f"cannot read the saved image {path}: {error}") from error
    if found_format != "PNG" or found_size != size:
        raise SmokeTestFailure(f"{path} is a {found_format} of {found_size}, not a PNG of {size}")
    if low == high:
        raise SmokeTestFailure(f"{path} is a blank image")
    if parameters is not None and not str(parameters).startswith(prompt):
        raise SmokeTestFailure(f"{path} has parameters that do not start with the prompt")
    return path


def run_smoke_test(
    model: str | None = None, output_dir: str | None = None, timeout_s: float = TIMEOUT_S
) -> int:
    """Open the window as ``sdstudio`` does, generate once, close; the process exit code."""
    app = create_application()
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = create_window(model, None, output_dir)
    driver = SmokeDriver(window)
    restore_hook = install_excepthook(driver.fail)
    try:
        with loop:
            path = loop.run_until_complete(asyncio.wait_for(driver.generate_once(), timeout_s))
    except SmokeTestFailure as error:
        print(f"sdstudio: smoke test failed: {error}", file=sys.stderr)
        return 1
    except asyncio.TimeoutError:
        print(f"sdstudio: smoke test failed: no image after {timeout_s:.0f} s", file=sys.stderr)
        return 1
    finally:
        window.close()
        restore_hook()
        asyncio.set_event_loop(None)
    print(f"smoke test passed: {path}")
    return 0
