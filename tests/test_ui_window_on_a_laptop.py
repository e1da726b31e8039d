"""The window on a 1366×768 laptop screen: it fits, the canvas keeps half its width, every
mask action shows, and the model browser's columns can be read without scrolling sideways.

Each case opens the real window in a process of its own (``tests/window_on_a_screen.py``),
since the offscreen platform's screen size is set when the application starts.
"""

from __future__ import annotations

from PySide6.QtCore import QRect

from tests.window_on_a_screen import shown_on_a_screen

SECONDARY = [
    "activationsDock",
    "attentionDock",
    "controlNetDock",
    "modelBrowserDock",
    "networksDock",
    "queueDock",
]


def open_window(width: int, height: int, *resize: int | str) -> dict:
    """What the window showed on a ``width``×``height`` screen (SDSTUDIO_HOME is the test's);
    ``resize`` as ``tests/window_on_a_screen.py`` takes it (or ``"--browser"``)."""
    return shown_on_a_screen("tests.window_on_a_screen", width, height, *resize)


def test_a_first_start_fits_a_laptop_screen_and_the_canvas_keeps_half() -> None:
    shown = open_window(1366, 768)

    available = QRect(*shown["available"])
    assert available.contains(QRect(*shown["frame"]))
    window_width = shown["window"][0]
    assert shown["canvas"][0] >= window_width / 2
    docks = shown["docks"]
    assert docks["settingsDock"]["in_front"] and docks["historyDock"]["in_front"]
    assert docks["historyDock"]["area"] == "RightDockWidgetArea"
    assert docks["historyDock"]["tabbed_with"] == []  # new results are never hidden
    # Everything else waits as a tab behind the settings, each with the full height.
    assert docks["settingsDock"]["tabbed_with"] == SECONDARY
    assert not any(docks[name]["in_front"] for name in SECONDARY)
    # Every tab's title can be read whole: none elided, none pushed off the bar.
    (titles, fit), *_others = shown["tabs"]
    assert len(titles) == len(SECONDARY) + 1 and fit


def test_a_window_saved_on_a_large_monitor_opens_inside_the_laptop_screen() -> None:
    big = open_window(2560, 1440, 2200, 1300, 900)  # a wide History; saved as it closes
    assert big["window"] == [2200, 1300] and big["docks"]["historyDock"]["width"] == 900

    shown = open_window(1366, 768)

    assert QRect(*shown["available"]).contains(QRect(*shown["frame"]))
    assert shown["canvas"][0] >= shown["window"][0] / 2  # the saved docks were narrowed
    assert shown["docks"]["historyDock"]["in_front"]


def test_every_mask_action_shows_beside_the_image_toolbar_on_a_laptop_screen() -> None:
    toolbar = open_window(1366, 768)["mask_toolbar"]

    hidden = [name for name, shown in toolbar["actions"].items() if not shown]
    assert hidden == [], f"behind the toolbar's » button: {hidden}"
    assert len(toolbar["actions"]) == 12 and not toolbar["overflow_shown"]
    assert toolbar["wanted"] <= toolbar["width"]


def test_the_model_browsers_columns_are_read_without_scrolling_sideways(demo_model) -> None:
    """The demo model (from the run's shared models folder) at 512×512, two levels open: in
    the dock every shown column ends inside the tree, its header whole, numbers and shapes
    whole; popped out, every column is whole; put back, it is a tab behind the settings."""
    browser = open_window(1366, 768, "--browser")["browser"]

    docked = browser["docked"]
    viewport = docked["viewport"][0]
    assert not docked["floating"] and not docked["scrolls_sideways"]
    columns = docked["columns"]
    shown = {name: column for name, column in columns.items() if not column["hidden"]}
    assert list(shown) == ["Name", "Type", "Params", "Output"] or len(shown) == 5
    for name, column in shown.items():
        assert column["inside"], f"{name} ends outside the tree"
        assert column["width"] >= column["header"], f"{name}'s header is cut"
    for name in ("Params", "Output"):
        assert columns[name]["width"] >= columns[name]["contents"], f"{name} is cut"
    assert columns["Name"]["width"] >= viewport / 4  # names, elided in the middle if at all
    assert columns["Type"]["width"] >= min(columns["Type"]["contents"], viewport / 6)

    popped = browser["popped_out"]
    assert popped["floating"] and popped["text"] == "Put Back"
    assert popped["dock"][0] >= 0.75 * 1366 and popped["dock"][1] >= 0.75 * 768
    assert not popped["scrolls_sideways"]
    for name, column in popped["columns"].items():
        assert not column["hidden"] and column["inside"], name
        assert column["width"] >= max(column["contents"], column["header"]), f"{name} is cut"

    back = browser["put_back"]
    assert not back["floating"] and back["text"] == "Pop Out"
    assert back["area"] == "LeftDockWidgetArea" and "settingsDock" in back["tabbed_with"]
    assert back["in_front"]
