"""The demo model's world: one coloured shape on a plain background, 128×128, and its prompts.

The world is pinned: the trainer draws from it, and the checks that judge the trained model
read pictures back against it, so every constant here is part of the contract.

    scene = random_scene(rng)            # what to draw
    image = render(scene, rng)           # the picture
    text = prompt_for(scene)             # "a red circle on the left on a blue background"
    parse_prompt(text) == scene          # what a prompt asks for, read back
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from PIL import Image, ImageDraw

SIDE = 128
MIN_RADIUS, MAX_RADIUS = 15, 30
SUPERSAMPLE = 4  # drawn 4× larger, then reduced: antialiased edges
EDGE_MARGIN = 3  # px a named position's centre keeps from the edges of its part

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (245, 140, 30),
    "yellow": (240, 220, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "purple": (140, 60, 190),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
}
GRAY = (160, 160, 160)  # the background when the prompt names none


class Shape(str, Enum):
    CIRCLE = "circle"
    SQUARE = "square"
    TRIANGLE = "triangle"


class Position(str, Enum):
    """Where the object's centre lies: the middle third of an edge, or the middle."""

    LEFT = "left"
    RIGHT = "right"
    TOP = "top"
    BOTTOM = "bottom"
    CENTER = "center"


THIRD = SIDE / 3


def position_of(x: float, y: float) -> Position | None:
    """The part of the canvas a point lies in; None in the corners, which no prompt names."""
    column = min(2, int(x // THIRD))
    row = min(2, int(y // THIRD))
    return {
        (0, 1): Position.LEFT,
        (2, 1): Position.RIGHT,
        (1, 0): Position.TOP,
        (1, 2): Position.BOTTOM,
        (1, 1): Position.CENTER,
    }.get((column, row))


@dataclass(frozen=True)
class Scene:
    """One picture of the world. ``position`` and ``background`` None: not named in the
    prompt (placement is then random, and the background gray)."""

    shape: Shape
    colour: str
    position: Position | None = None
    background: str | None = None

    def __post_init__(self) -> None:
        if self.colour not in COLOURS:
            raise ValueError(f"unknown colour {self.colour!r}")
        if self.background is not None and self.background not in COLOURS:
            raise ValueError(f"unknown background colour {self.background!r}")
        if self.background == self.colour:
            raise ValueError("the object and the background must differ in colour")

    @property
    def background_rgb(self) -> tuple[int, int, int]:
        return GRAY if self.background is None else COLOURS[self.background]


def random_scene(
    rng: random.Random, named_position: float = 0.7, named_background: float = 0.6
) -> Scene:
    """A scene from the prompt grammar, naming a position and a background this often."""
    colour = rng.choice(list(COLOURS))
    background = None
    if rng.random() < named_background:
        background = rng.choice([name for name in COLOURS if name != colour])
    position = rng.choice(list(Position)) if rng.random() < named_position else None
    return Scene(rng.choice(list(Shape)), colour, position, background)


def render(scene: Scene, rng: random.Random) -> Image.Image:
    """The scene as a 128×128 RGB picture; size and exact place are drawn from ``rng``.

    The object's centre (its centroid, which for the triangle lies a third of the radius
    below the middle of its box) is what lies in the named part of the canvas.
    """
    radius = rng.uniform(MIN_RADIUS, MAX_RADIUS)
    if scene.shape is Shape.TRIANGLE and scene.position is Position.TOP:
        # A triangle's centroid lies a third of its radius low: past this radius it cannot
        # sit in the top part at all, and the search for a centre would never end.
        radius = min(radius, (THIRD - EDGE_MARGIN) * 3 / 4 - 0.01)
    drop = radius / 3 if scene.shape is Shape.TRIANGLE else 0.0
    x, y = _centre(scene.position, radius, drop, rng)
    y -= drop  # the middle of the bounding box
    big = Image.new("RGB", (SIDE * SUPERSAMPLE,) * 2, scene.background_rgb)
    draw = ImageDraw.Draw(big)
    s = SUPERSAMPLE
    box = [(x - radius) * s, (y - radius) * s, (x + radius) * s, (y + radius) * s]
    fill = COLOURS[scene.colour]
    if scene.shape is Shape.CIRCLE:
        draw.ellipse(box, fill=fill)
    elif scene.shape is Shape.SQUARE:
        draw.rectangle(box, fill=fill)
    else:  # apex up, base as wide as the box: it fills half its bounding box
        left, top, right, bottom = box
        draw.polygon([((left + right) / 2, top), (right, bottom), (left, bottom)], fill=fill)
    return big.resize((SIDE, SIDE), Image.Resampling.BOX)


def _centre(
    position: Position | None, radius: float, drop: float, rng: random.Random
) -> tuple[float, float]:
    """An object centre inside ``position``'s part of the canvas (anywhere when None) with
    the whole shape on the canvas; ``drop`` is how far the centre lies below its box's middle."""
    while True:
        x = rng.uniform(radius, SIDE - radius)
        y = rng.uniform(radius + drop, SIDE - radius + drop)
        if position is None or _well_inside(x, y, position):
            return x, y


def _well_inside(x: float, y: float, position: Position) -> bool:
    """A few pixels from the part's edges, so the picture never sits on a boundary."""
    m = EDGE_MARGIN
    points = ((x - m, y), (x + m, y), (x, y - m), (x, y + m))
    return all(position_of(px, py) is position for px, py in points)


def prompt_for(scene: Scene, rng: random.Random | None = None) -> str:
    """The grammar's prompt; with ``rng``, sometimes a paraphrase for training variety."""
    where = ""
    if scene.position is Position.CENTER:
        where = " in the center"
    elif scene.position is not None:
        where = f" on the {scene.position.value}"
    background = f" on a {scene.background} background" if scene.background else ""
    if rng is None or rng.random() < 0.7:
        return f"a {scene.colour} {scene.shape.value}{where}{background}"
    bare_where = where.replace(" on the ", " at the ").replace(" in the center", " in the middle")
    forms = [
        f"{scene.colour} {scene.shape.value}{where}{background}",
        f"a {scene.shape.value}, {scene.colour}{bare_where}{background}",
        f"{scene.colour} {scene.shape.value}{bare_where}{background.replace(' on a', ',')}",
    ]
    return rng.choice(forms)


def parse_prompt(text: str) -> Scene:
    """The scene a grammar prompt (or a paraphrase) asks for; ValueError when it names no
    shape or colour. The object's colour is the first colour named before ``background``."""
    words = text.lower().replace(",", " ").split()
    shape = next((Shape(word) for word in words if word in Shape._value2member_map_), None)
    if shape is None:
        raise ValueError(f"no shape in {text!r}")
    background = None
    if "background" in words:
        before = words[: words.index("background")]
        named = [word for word in before if word in COLOURS]
        if len(named) >= 2:
            background = named[-1]
    colours = [word for word in words if word in COLOURS and word != background]
    if not colours:
        raise ValueError(f"no colour in {text!r}")
    position = None
    if "center" in words or "middle" in words or "centre" in words:
        position = Position.CENTER
    else:
        for word in words:
            if word in Position._value2member_map_:
                position = Position(word)
    return Scene(shape, colours[0], position, background)
