"""Small, Qt-light pieces of the window: coalescing slot, progress text, conversions."""

from __future__ import annotations

import threading

from PIL import Image

from sdstudio.engine.errors import InitImageError
from sdstudio.ui.excepthook import install_excepthook
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.progress_text import Progress, format_duration, format_progress
from sdstudio.ui.size_spin import nearest_side


def test_latest_slot_keeps_only_the_newest_and_asks_once() -> None:
    slot: LatestSlot[int] = LatestSlot()
    assert slot.put(1) is True
    assert slot.put(2) is False  # a notification is already pending
    assert slot.put(3) is False
    assert slot.take() == 3
    assert slot.take() is None
    assert slot.put(4) is True


def test_latest_slot_from_many_threads_loses_nothing_but_stale_values() -> None:
    slot: LatestSlot[int] = LatestSlot()
    notifications = []

    def writer() -> None:
        for value in range(1000):
            if slot.put(value):
                notifications.append(value)

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join()
    assert len(notifications) == 1
    assert slot.take() == 999


def test_progress_text_shows_step_rate_and_time_left() -> None:
    assert format_progress(Progress(1, 20)) == "Step 1/20"
    text = format_progress(Progress(5, 20, elapsed_s=2.0))  # 4 steps in 2 s
    assert text == "Step 5/20 · 2.0 it/s · 8 s left"
    slow = format_progress(Progress(3, 10, elapsed_s=8.0))
    assert "4.0 s/it" in slow and "28 s left" in slow
    batch = format_progress(Progress(2, 10, image_index=1, batch_count=3, elapsed_s=11.0))
    assert batch.startswith("Image 2/3 · Step 2/10")


def test_durations_read_naturally() -> None:
    assert format_duration(4.4) == "4 s"
    assert format_duration(65) == "1 min 05 s"
    assert format_duration(3720) == "1 h 02 min"


def test_image_sides_snap_to_multiples_of_eight() -> None:
    assert nearest_side(513) == 512
    assert nearest_side(517) == 520
    assert nearest_side(3) == 64
    assert nearest_side(99999) == 2048


def test_pil_and_qimage_round_trip(qapp) -> None:
    from sdstudio.ui.image_convert import pil_to_qimage, qimage_to_pil

    image = Image.new("RGB", (7, 5), (10, 200, 30))  # odd width: rows are padded in QImage
    image.putpixel((6, 4), (255, 0, 128))
    qimage = pil_to_qimage(image)
    assert (qimage.width(), qimage.height()) == (7, 5)
    assert qimage.pixelColor(6, 4).getRgb()[:3] == (255, 0, 128)
    back = qimage_to_pil(qimage)
    assert back.mode == "RGB" and back.tobytes() == image.tobytes()
    rgba = Image.new("RGBA", (3, 3), (1, 2, 3, 0))
    assert qimage_to_pil(pil_to_qimage(rgba)).getpixel((1, 1)) == (1, 2, 3, 0)


def test_excepthook_shows_user_errors_without_traceback(capsys) -> None:
    import sys

    reports = []
    restore = install_excepthook(lambda message, details: reports.append((message, details)))
    try:
        error = InitImageError("Cannot read notes.txt as an image")
        sys.excepthook(type(error), error, None)
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError as bug:
            sys.excepthook(type(bug), bug, bug.__traceback__)
    finally:
        restore()
    assert reports[0] == ("Cannot read notes.txt as an image", "")
    message, details = reports[1]
    assert message == "Unexpected error: ZeroDivisionError: division by zero"
    assert "Traceback" in details
    assert "Traceback" in capsys.readouterr().err  # developers still see it


def test_progress_counts_batches_when_images_step_together() -> None:
    text = format_progress(Progress(2, 10, image_index=0, batch_count=2, unit="Batch"))
    assert text.startswith("Batch 1/2 · Step 2/10")
