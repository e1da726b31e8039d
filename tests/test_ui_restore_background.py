"""Restoring a PNG's settings never blocks the window: a LoRA found by its hash (the library
hashed, slow the first time) is looked for on the thread pool, the newest restore wins, the
hashes are kept for the next time, and a failure is a message."""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from PySide6.QtCore import Qt, QThreadPool, QTimer

from sdstudio.engine.networks import hashes, relink
from sdstudio.engine.networks.relink import HashingNeeded, relink_loras
from sdstudio.ui.parameters_dialog import ParametersDialog
from tests.ui_support import WAIT_MS, drop_file, make_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SLOW_S = 0.4  # each LoRA file "takes" this long to hash


def _fake_lora(path: Path, payload: bytes) -> Path:
    """A .safetensors file as far as hashing cares: header length, header, tensor bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = json.dumps({"__metadata__": {}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + payload * 4096)
    return path


@pytest.fixture
def library() -> dict[str, Path]:
    """Three LoRAs in SDSTUDIO_HOME (set per test by conftest); none is named as the
    pictures name it."""
    loras = Path(os.environ["SDSTUDIO_HOME"]) / "models" / "loras"
    return {
        name: _fake_lora(loras / f"{name}.safetensors", name.encode())
        for name in ("alpha", "beta", "renamed_here")
    }


@pytest.fixture
def slow_hashing(monkeypatch) -> list[Path]:
    """Hashing a LoRA sleeps first; returns the files hashed, in order."""
    hashed: list[Path] = []
    real = relink.lora_hash

    def slow(path: Path) -> str:
        hashed.append(path)
        time.sleep(SLOW_S)
        return real(path)

    monkeypatch.setattr(relink, "lora_hash", slow)
    return hashed


@pytest.fixture
def window(qtbot, demo_model, tmp_path):
    window = make_window(qtbot, demo_model, tmp_path / "out")
    yield window
    QThreadPool.globalInstance().waitForDone(30_000)  # no hashing left for the next test


def _real_hash(path: Path) -> str:
    return hashes._compute(path, skip_header=True)


def _png(path: Path, prompt: str, lora_hashes: str = "") -> Path:
    text = f"{prompt}\nSteps: 9, Sampler: Euler, CFG scale: 6, Seed: 3, Size: 64x64"
    if lora_hashes:
        text += f', Lora hashes: "{lora_hashes}"'
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", text)
    Image.new("RGB", (64, 64)).save(path, pnginfo=info)
    return path


def _restored(window) -> bool:
    return window.statusBar().currentMessage().startswith("Restored")


def test_the_window_keeps_going_while_loras_are_hashed(
    window, qtbot, library, slow_hashing, tmp_path
):
    wanted = _real_hash(library["renamed_here"])
    path = _png(tmp_path / "cat.png", "a cat <lora:original_name:0.7>", f"original_name: {wanted}")
    said: list[str] = []
    window.state.message.connect(lambda text, _timeout: said.append(text))
    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)

    started = time.monotonic()
    assert not window.image_opener.restorer.busy
    window.image_opener.restore_from(path)
    assert time.monotonic() - started < SLOW_S  # it returned before any file was hashed
    assert window.image_opener.restorer.busy
    qtbot.waitUntil(lambda: _restored(window), timeout=WAIT_MS)
    assert not window.image_opener.restorer.busy
    timer.stop()

    assert window.controls.prompt_edit.toPlainText() == "a cat <lora:renamed_here:0.7>"
    assert window.controls.steps_spin.value() == 9
    assert window.statusBar().currentMessage() == "Restored the settings of cat.png."
    assert slow_hashing == [library["alpha"], library["beta"], library["renamed_here"]]
    assert time.monotonic() - started >= 3 * SLOW_S
    # the timer went on firing all along: no gap near a whole file's hashing
    assert len(ticks) >= 10
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:], strict=False)]
    assert max(gaps) < 2 * SLOW_S  # hashed on the GUI thread, it would be 3 * SLOW_S
    assert any(
        "looking for its LoRAs by hash, reading beta.safetensors (2 of 3)" in t for t in said
    )


def _click_restore(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.findChild(ParametersDialog, "parametersDialog") is not None)
    dialog = window.findChild(ParametersDialog, "parametersDialog")
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(ParametersDialog) is None)


def test_a_dropped_png_is_restored_in_the_background_then_from_the_cache(
    window, qtbot, library, slow_hashing, tmp_path
):
    wanted = _real_hash(library["beta"])
    path = _png(tmp_path / "dog.png", "a dog <lora:gone_name:0.5>", f"gone_name: {wanted}")
    drop_file(window, path)
    _click_restore(window, qtbot)
    # the click returned before the library was hashed: the controls are set later
    assert window.controls.prompt_edit.toPlainText() == ""
    assert window.statusBar().currentMessage().startswith("Restoring the settings of dog.png")
    qtbot.waitUntil(lambda: _restored(window), timeout=WAIT_MS)
    assert window.controls.prompt_edit.toPlainText() == "a dog <lora:beta:0.5>"
    assert slow_hashing == [library["alpha"], library["beta"]]  # it stopped once found

    # The hashes are known now (also on disk): the next drop restores at once on the click.
    window.controls.prompt_edit.setPlainText("")
    drop_file(window, path)
    _click_restore(window, qtbot)
    assert window.controls.prompt_edit.toPlainText() == "a dog <lora:beta:0.5>"
    assert slow_hashing == [library["alpha"], library["beta"]]


def test_the_last_restore_wins(window, qtbot, library, slow_hashing, tmp_path):
    wanted = _real_hash(library["renamed_here"])
    slow = _png(tmp_path / "slow.png", "first <lora:old:1>", f"old: {wanted}")
    quick = _png(tmp_path / "quick.png", "second")
    window.image_opener.restore_from(slow)
    qtbot.waitUntil(lambda: len(slow_hashing) >= 1, timeout=WAIT_MS)  # it is hashing now
    window.image_opener.restore_from(quick)
    qtbot.waitUntil(lambda: _restored(window), timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "Restored the settings of quick.png."
    QThreadPool.globalInstance().waitForDone(30_000)  # the first one ends too…
    qtbot.wait(100)  # …and its result, had it one, would have been delivered
    assert window.controls.prompt_edit.toPlainText() == "second"
    assert window.statusBar().currentMessage() == "Restored the settings of quick.png."
    assert len(slow_hashing) < 3  # the older restore stopped before hashing the rest


def test_two_slow_restores_in_a_row_the_second_wins(window, qtbot, library, slow_hashing, tmp_path):
    first = _png(
        tmp_path / "one.png", "one <lora:x:1>", f"x: {_real_hash(library['renamed_here'])}"
    )
    second = _png(tmp_path / "two.png", "two <lora:y:0.3>", f"y: {_real_hash(library['beta'])}")
    window.image_opener.restore_from(first)
    window.image_opener.restore_from(second)
    qtbot.waitUntil(lambda: _restored(window), timeout=WAIT_MS)
    QThreadPool.globalInstance().waitForDone(30_000)
    qtbot.wait(100)
    assert window.controls.prompt_edit.toPlainText() == "two <lora:beta:0.3>"
    assert window.statusBar().currentMessage() == "Restored the settings of two.png."


def test_a_failure_is_a_message_not_a_traceback(window, qtbot, tmp_path, monkeypatch):
    from sdstudio.ui import settings_restorer

    def broken(*_args, **_kwargs):
        raise ValueError("the library could not be listed")

    monkeypatch.setattr(settings_restorer, "restore_settings", broken)
    window.image_opener.restore_from(_png(tmp_path / "bad.png", "a cat"))
    qtbot.waitUntil(lambda: "bad.png" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == (
        "Could not restore the settings of bad.png: the library could not be listed"
    )
    assert window.controls.prompt_edit.toPlainText() == ""


def test_lora_hashes_are_kept_on_disk_per_size_and_time(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path / "home"))
    path = _fake_lora(tmp_path / "one.safetensors", b"1")
    assert hashes.cached_lora_hash(path) is None
    value = hashes.lora_hash(path)
    assert (tmp_path / "home" / "cache" / hashes.CACHE_NAME).is_file()
    monkeypatch.setattr(hashes, "_cache", {})  # a new session: only the file knows it
    monkeypatch.setattr(hashes, "_compute", lambda *_: pytest.fail("hashed again"))
    assert hashes.cached_lora_hash(path) == value
    assert hashes.lora_hash(path) == value
    _fake_lora(path, b"2")  # changed: the kept hash is no longer its hash
    os.utime(path, ns=(1, 1))
    assert hashes.cached_lora_hash(path) is None


def test_the_hash_cache_forgets_deleted_loras_when_it_is_written(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path / "home"))
    cache = tmp_path / "home" / "cache" / hashes.CACHE_NAME
    gone = _fake_lora(tmp_path / "gone.safetensors", b"1")
    hashes.lora_hash(gone)
    assert str(gone.resolve()) in json.loads(cache.read_text())
    gone.unlink()
    kept = _fake_lora(tmp_path / "kept.safetensors", b"2")
    hashes.lora_hash(kept)
    assert list(json.loads(cache.read_text())) == [str(kept.resolve())]


def test_a_damaged_hash_cache_is_only_a_slower_start(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path / "home"))
    cache = tmp_path / "home" / "cache" / hashes.CACHE_NAME
    cache.parent.mkdir(parents=True)
    cache.write_text("[" * 100_000)
    path = _fake_lora(tmp_path / "one.safetensors", b"1")
    assert hashes.cached_lora_hash(path) is None
    assert hashes.lora_hash(path) == _real_hash(path)
    assert isinstance(json.loads(cache.read_text()), dict)  # written anew


def test_without_hashing_an_unknown_hash_is_asked_for(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path))
    path = _fake_lora(tmp_path / "models" / "loras" / "here.safetensors", b"h")
    recorded = {"there": _real_hash(path)}
    with pytest.raises(HashingNeeded):
        relink_loras("<lora:there:1>", recorded, hash_files=False)
    assert relink_loras("<lora:there:1>", recorded) == ("<lora:here:1>", [])
    assert relink_loras("<lora:there:1>", recorded, hash_files=False) == ("<lora:here:1>", [])
    # a tag found by name needs no hash at all
    assert relink_loras("<lora:HERE:1>", {}, hash_files=False) == ("<lora:HERE:1>", [])


def test_many_tags_list_the_library_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path))
    _fake_lora(tmp_path / "models" / "loras" / "here.safetensors", b"h")
    listed: list[object] = []
    real = relink.list_networks
    monkeypatch.setattr(relink, "list_networks", lambda *a: listed.append(a) or real(*a))
    prompt = "<lora:here:1> <lora:gone:1> " * 5_000
    text, missing = relink_loras(prompt, {})
    assert text == prompt and len(missing) == 5_000 and len(listed) == 1
