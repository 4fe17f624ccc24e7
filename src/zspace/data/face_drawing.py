"""Drawing the synthetic faces: the face parts, in painter's order, from per-face parameters.

Rendering works in normalized coordinates (the image spans [-1, 1] on both axes, y
pointing down), so any size draws the same face. The parts are built from the shapes
of :mod:`zspace.data.face_shapes`: anti-aliased and continuous in every factor, which a
VAE trained on these images needs. Only elementwise arithmetic touches the pixels, so
an image is byte-identical whichever batch it is rendered in. The factors themselves
and the data source are in :mod:`zspace.data.synthetic_faces`.
"""

from __future__ import annotations

import math

import numpy as np

from zspace.data.face_shapes import box_bottom, ellipse, ellipse_distance, paint, ramp, stroke

# Realistic skin colours, light to dark; interpolated piecewise linearly.
_SKIN = np.array([[1.00, 0.87, 0.78], [0.96, 0.78, 0.64], [0.86, 0.64, 0.47],
                  [0.70, 0.48, 0.32], [0.50, 0.33, 0.22], [0.34, 0.22, 0.15]])
# Hair colours: black, dark brown, brown, auburn, ginger, blond, platinum, grey.
_HAIR = np.array([[0.07, 0.06, 0.06], [0.22, 0.14, 0.09], [0.40, 0.26, 0.15], [0.52, 0.20, 0.10],
                  [0.80, 0.40, 0.16], [0.90, 0.74, 0.42], [0.95, 0.90, 0.72], [0.62, 0.62, 0.64]])
_INK = np.array([0.10, 0.07, 0.07], dtype=np.float32)  # pupils, outlines, glasses frames
_LIPS = np.array([0.55, 0.16, 0.18], dtype=np.float32)
_WHITE = np.array([0.98, 0.98, 0.98], dtype=np.float32)


class FaceGrid:
    """Pixel-centre coordinates of one image size, and what depends on size only."""

    def __init__(self, size: int) -> None:
        centres = ((np.arange(size, dtype=np.float64) + 0.5) / size * 2.0 - 1.0).astype(np.float32)
        self.size = size
        self.px = 2.0 / size  # one pixel in normalized units: the width of every edge ramp
        self.u = centres.reshape(1, 1, size)
        self.v = centres.reshape(1, size, 1)
        # A soft vignette darkens the background corners a little.
        self.vignette = (1.0 - 0.12 * (self.u * self.u + self.v * self.v))[0]
        # Shoulders sit at the bottom whatever the head does, so draw them once,
        # with a round neckline (narrower than any neck) cut out.
        shoulders = ellipse(self.u, self.v, 0.0, 1.28, 0.92, 0.56, self.px)
        neckline = ellipse(self.u, self.v, 0.0, 0.70, 0.13, 0.12, self.px)
        self.shoulders = shoulders * (1.0 - neckline)


def face_params(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-face geometry and colours from the factor rows, as (n, 1, 1) float32."""
    f = rows
    p: dict[str, np.ndarray] = {
        "a": 0.36 + 0.16 * f["face_width"],  # half-width of the face oval
        "b": 0.47 + 0.14 * f["face_height"],  # half-height of the face oval
        "hy": -0.12 + 0.16 * f["head_y"],  # head centre, y
        "eye_x": 0.13 + 0.09 * f["eye_spacing"],  # half the distance between the eyes
        "eye_r": 0.05 + 0.045 * f["eye_size"],
        "smile": 0.085 * (2.0 * f["smile"] - 1.0),  # rise of the mouth corners
        "light": 0.40 * (2.0 * f["light_direction"] - 1.0),  # shadow depth, signed by side
        "glasses": f["glasses"],
    }
    # math.cos per face keeps the angle exact whatever the batch (no SIMD paths).
    angle = np.radians(30.0 * (f["head_tilt"] - 0.5))
    p["cos"] = np.array([math.cos(t) for t in angle])
    p["sin"] = np.array([math.sin(t) for t in angle])
    p["hair_bottom"] = p["b"] * (-0.3 + 1.9 * f["hair_length"])  # below the head centre
    p["eye_y"] = -0.05 * p["b"]
    p["mouth_y"] = 0.45 * p["b"]
    params = {name: values.astype(np.float32).reshape(-1, 1, 1) for name, values in p.items()}
    params.update(_face_colours(rows))
    return params


def _face_colours(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-face colours as (3, n, 1, 1) float32 arrays."""
    skin = _palette(rows["skin_tone"], _SKIN)
    hair = _palette(rows["hair_color"], _HAIR)
    hue = 0.85 * rows["background_hue"]  # stops short of a full turn: no wrap back to red
    colours = {
        "background": _hsv(hue, 0.38, 0.92),
        "shirt": _hsv((hue + 0.5) % 1.0, 0.45, 0.55),
        "skin": skin,
        "skin_shade": skin * 0.86,
        "nose": skin * 0.78,
        "hair": hair,
        "hair_back": hair * 0.80,
        "brows": hair * 0.55 + _INK[:, None] * 0.35,
    }
    return {name: c.astype(np.float32).reshape(3, -1, 1, 1) for name, c in colours.items()}


def _palette(t: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Piecewise-linear colours along ``palette`` rows for t in [0, 1], as (3, n)."""
    stops = np.linspace(0.0, 1.0, len(palette))
    return np.stack([np.interp(t, stops, palette[:, c]) for c in range(3)])


def _hsv(hue: np.ndarray, saturation: float, value: float) -> np.ndarray:
    """RGB (3, n) of hues in [0, 1) at one saturation and value."""
    channels = []
    for k in (5.0, 3.0, 1.0):
        sector = (k + hue * 6.0) % 6.0
        weight = np.clip(np.minimum(sector, 4.0 - sector), 0.0, 1.0)
        channels.append(value * (1.0 - saturation * weight))
    return np.stack(channels)


def render_chunk(p: dict[str, np.ndarray], grid: FaceGrid) -> np.ndarray:
    """Draw the faces of one chunk in painter's order; uint8 (n, size, size, 3)."""
    img = np.empty((3, p["a"].shape[0], grid.size, grid.size), dtype=np.float32)
    for c in range(3):
        np.multiply(p["background"][c], grid.vignette, out=img[c])
    x, y = _head_frame(p, grid)
    head = _draw_head(img, x, y, p, grid)
    _draw_eyes(img, x, y, p, grid.px)
    head = np.maximum(head, _draw_hair_cap(img, x, y, p, grid.px), out=head)
    _draw_glasses(img, x, y, p, grid.px)
    # Light from one side: the far side of the head falls into shadow, the lit side
    # keeps its colour (brightening would clip to white).
    slope = np.clip(x * (0.5 / p["a"]), -0.5, 0.5)
    slope *= p["light"]
    slope -= 0.5 * np.abs(p["light"])
    slope *= head
    slope += 1.0
    img *= slope
    img *= 255.0
    img += 0.5  # then truncation rounds to nearest
    np.clip(img, 0.0, 255.0, out=img)
    return img.transpose(1, 2, 3, 0).astype(np.uint8)


def _head_frame(p: dict[str, np.ndarray], grid: FaceGrid) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates in each head's frame: origin at the face centre, tilt undone."""
    # The head turns about the chin, as a head leans on its neck.
    pivot = p["hy"] + 0.9 * p["b"]
    dv = grid.v - pivot
    x = p["cos"] * grid.u + p["sin"] * dv
    y = p["cos"] * dv - p["sin"] * grid.u
    y += 0.9 * p["b"]
    return x, y


def _draw_head(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], grid: FaceGrid
) -> np.ndarray:
    """Hair behind the head, neck, ears, face oval, nose and mouth; returns the head mask."""
    a, b, px = p["a"], p["b"], grid.px
    ax = np.abs(x)  # ears and hair are mirror-symmetric: one shape draws both sides
    # Ears first: long hair falls over them, short hair leaves them out.
    ears = ellipse(ax, y, 0.97 * a, 0.16 * b, 0.07, 0.11, px)
    paint(img, ears, p["skin_shade"])
    # Long hair: a curtain behind the face down to hair_bottom; its top hides
    # under the hair cap, its bottom hides behind the face when the hair is short.
    curtain = box_bottom(ax, y, 1.06 * a, -0.15 * b, p["hair_bottom"], 0.1, px)
    paint(img, curtain, p["hair_back"])
    # The neck hangs straight down in screen space from the middle of the head
    # into the shirt, which also hides the ends of long hair.
    neck_d = np.maximum(np.abs(grid.u) - 0.42 * a, p["hy"] - grid.v)
    paint(img, ramp(neck_d, px), p["skin_shade"])
    paint(img, grid.shoulders, p["shirt"])
    head = np.maximum(ears, curtain, out=curtain)
    head *= 1.0 - grid.shoulders
    # The face is an egg: up to 15% narrower towards the chin.
    narrow = np.clip(y * (1.0 / b), 0.0, 1.0)
    narrow *= 0.15
    narrow += 1.0
    narrow *= x
    face = ellipse(narrow, y, 0.0, 0.0, a, b, px)
    paint(img, face, p["skin"])
    np.maximum(head, face, out=head)
    paint(img, ellipse(x, y, 0.0, 0.18 * b, 0.042, 0.055, px), p["nose"])
    # A smile opens into a D (straight top, round bottom); a frown stays a line.
    mouth_y = y - p["mouth_y"]
    smile = p["smile"]
    opening = 0.6 * np.maximum(smile, 0.0)
    mouth = stroke(x, mouth_y, 0.32 * a, smile, max(0.02, 0.45 * px), px, swell=opening)
    paint(img, mouth, _LIPS)
    return head


def _draw_eyes(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], px: float
) -> None:
    """Both eyes (outlined whites, pupils) and the eyebrows, mirrored about x = 0."""
    r = p["eye_r"]
    ex = np.abs(x)
    ex -= p["eye_x"]
    ey = y - p["eye_y"]
    rim = ellipse_distance(ex, ey, 1.15 * r, r)
    white = rim + max(0.014, 0.5 * px)
    paint(img, ramp(rim, px), _INK)
    paint(img, ramp(white, px), _WHITE)
    pupil = ellipse(ex, ey, 0.0, 0.1 * r, 0.55 * r, 0.6 * r, px)
    paint(img, pupil, _INK)
    # A catch-light, up and to the same side in both eyes (hence the sign of x).
    shift = np.sign(x)
    shift *= 0.22 * r
    shift += ex
    glint = ellipse(shift, ey, 0.0, -0.15 * r, 0.2 * r, 0.2 * r, px)
    paint(img, glint, _WHITE)
    brow_y = ey + r + 0.06
    brow = stroke(ex, brow_y, 1.05 * r + 0.015, -0.4 * r, max(0.016, 0.4 * px), px)
    paint(img, brow, p["brows"])


def _draw_hair_cap(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], px: float
) -> np.ndarray:
    """The hair on top of the head, down to a side-swept hairline; returns its coverage."""
    a, b = p["a"], p["b"]
    cap = ellipse(x, y, 0.0, -0.03 * b, 1.07 * a, 1.08 * b, px)
    # Hairline: high in the middle, lower at the temples, lower on one side.
    t = x * (1.0 / a)
    line = t * t
    line *= 0.45
    line += 0.08 * t
    line -= 0.45
    line *= b
    line -= y
    line *= -1.0
    np.minimum(cap, ramp(line, px), out=cap)
    paint(img, cap, p["hair"])
    return cap


def _draw_glasses(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], px: float
) -> None:
    """Two rings round the eyes and a bridge between them, where glasses = 1."""
    r, eye_x = p["eye_r"], p["eye_x"]
    radius = np.minimum(1.45 * r + 0.02, 0.95 * eye_x)
    thick = max(0.014, 0.45 * px)
    ex = np.abs(x) - eye_x
    ey = y - p["eye_y"]
    ring = np.sqrt(ex * ex + ey * ey)
    ring -= radius
    np.abs(ring, out=ring)
    frame = ramp(ring - thick, px)
    bridge = stroke(x, ey + 0.3 * radius, eye_x - radius + thick, -0.02, thick, px)
    np.maximum(frame, bridge, out=frame)
    frame *= p["glasses"]
    paint(img, frame, _INK)
