"""The embedded default dataset: procedural cartoon faces with known factors.

Every face is drawn from a handful of ground-truth factors, so a latent space
can be checked against the truth (which latent axis moved the smile?). The
continuous factors, all uniform in [0, 1], in :data:`FACTOR_NAMES` order:

``face_width``       width of the face oval, narrow (0) to wide (1)
``face_height``      height of the face oval, short (0) to long (1)
``head_tilt``        rotation of the whole head about the chin, about -15 deg
                     (leaning to the viewer's left) to +15 deg (right)
``head_y``           vertical position of the head, high (0) to low (1)
``skin_tone``        skin colour, light (0) to dark (1)
``hair_color``       hair colour along black, brown, auburn, ginger, blond,
                     platinum, grey
``hair_length``      short cap (0) to long hair falling past the chin (1)
``eye_spacing``      distance between the eyes, close (0) to far apart (1)
``eye_size``         size of the eyes, small (0) to large (1)
``smile``            mouth curvature, frown (0), straight (0.5), smile (1)
``light_direction``  shading across the head, lit from the left (0), flat
                     (0.5), lit from the right (1)
``background_hue``   hue of the flat background (the shirt takes the
                     complementary hue), red (0) through green and blue to
                     purple (1)

plus the binary ``glasses`` (int8, about 30% ones): two rings and a bridge.

Rendering works in normalized coordinates (the image spans [-1, 1] on both
axes, y pointing down), so any size from 8 to 1024 pixels draws the same face.
Each shape is a signed distance field turned into coverage with a ramp about
one pixel wide, composited in painter's order: anti-aliased and continuous in
every factor, which a VAE trained on these images needs. Only elementwise
arithmetic touches the pixels, so an image is byte-identical whichever batch
it is rendered in.
"""

from __future__ import annotations

import math

import numpy as np

from zspace.data.source import ImageSource
from zspace.errors import ZspaceError

FACTOR_NAMES: tuple[str, ...] = (
    "face_width",
    "face_height",
    "head_tilt",
    "head_y",
    "skin_tone",
    "hair_color",
    "hair_length",
    "eye_spacing",
    "eye_size",
    "smile",
    "light_direction",
    "background_hue",
)
GLASSES_SHARE = 0.3
GENERATOR = "zspace.synthetic_faces v1"
MIN_SIZE, MAX_SIZE = 8, 1024

# Pixels per rendering chunk: small enough that the working arrays stay in cache.
_CHUNK_PIXELS = 1 << 17

# Realistic skin colours, light to dark; interpolated piecewise linearly.
_SKIN = np.array(
    [
        [1.00, 0.87, 0.78],
        [0.96, 0.78, 0.64],
        [0.86, 0.64, 0.47],
        [0.70, 0.48, 0.32],
        [0.50, 0.33, 0.22],
        [0.34, 0.22, 0.15],
    ]
)
# Hair colours: black, dark brown, brown, auburn, ginger, blond, platinum, grey.
_HAIR = np.array(
    [
        [0.07, 0.06, 0.06],
        [0.22, 0.14, 0.09],
        [0.40, 0.26, 0.15],
        [0.52, 0.20, 0.10],
        [0.80, 0.40, 0.16],
        [0.90, 0.74, 0.42],
        [0.95, 0.90, 0.72],
        [0.62, 0.62, 0.64],
    ]
)
_INK = np.array([0.10, 0.07, 0.07], dtype=np.float32)  # pupils, outlines, glasses frames
_LIPS = np.array([0.55, 0.16, 0.18], dtype=np.float32)
_WHITE = np.array([0.98, 0.98, 0.98], dtype=np.float32)


def sample_factors(count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """All factors for ``count`` faces, deterministic from ``seed``.

    Continuous factors are float32 uniform in [0, 1]; ``glasses`` is int8 0/1
    with about 30% ones. Rows are drawn face by face, so the first k faces are
    the same whatever ``count`` is.
    """
    count = _check_int("count", count, 1, None, "image")
    seed = _check_int("seed", seed, 0, None, "")
    draws = np.random.default_rng(seed).random((count, len(FACTOR_NAMES) + 1))
    factors = {name: draws[:, i].astype(np.float32) for i, name in enumerate(FACTOR_NAMES)}
    factors["glasses"] = (draws[:, -1] < GLASSES_SHARE).astype(np.int8)
    return factors


def render_faces(factors: dict[str, np.ndarray], size: int = 64) -> np.ndarray:
    """uint8 ``(n, size, size, 3)`` RGB images, one per row of ``factors``.

    A pure function of the factors (continuous ones are clipped to [0, 1]) and
    the size: each image depends on its own row only.
    """
    size = _check_int("size", size, MIN_SIZE, MAX_SIZE, "pixel")
    columns = _factor_columns(factors)
    count = len(columns["glasses"])
    out = np.empty((count, size, size, 3), dtype=np.uint8)
    grid = _Grid(size)
    chunk = max(1, _CHUNK_PIXELS // (size * size))
    for start in range(0, count, chunk):
        rows = {name: values[start : start + chunk] for name, values in columns.items()}
        out[start : start + chunk] = _render_chunk(_face_params(rows), grid)
    return out


def synthetic_faces_source(count: int = 20000, size: int = 64, seed: int = 0) -> ImageSource:
    """The ``synthetic-faces`` source: ``count`` faces of ``size`` pixels from ``seed``.

    The index holds ``source_id`` (``face-000000``...), one column per factor
    and ``glasses``; ``read(start, stop)`` renders those rows on demand.
    """
    size = _check_int("size", size, MIN_SIZE, MAX_SIZE, "pixel")
    factors = sample_factors(count, seed)
    count = len(factors["glasses"])
    width = max(6, len(str(count - 1)))
    index = {"source_id": np.array([f"face-{i:0{width}d}" for i in range(count)])}
    # Copies: editing the index must not change what read() renders.
    index.update({name: values.copy() for name, values in factors.items()})

    def read(start: int, stop: int) -> np.ndarray:
        if not 0 <= start <= stop <= count:
            raise ZspaceError(f"rows {start}:{stop}: synthetic-faces has rows 0 to {count}")
        return render_faces({name: values[start:stop] for name, values in factors.items()}, size)

    details = {
        "seed": seed,
        "factors": [*FACTOR_NAMES, "glasses"],
        "generator": GENERATOR,
    }
    return ImageSource("synthetic-faces", count, size, size, 3, index, read, details)


def _check_int(name: str, value: object, low: int, high: int | None, unit: str) -> int:
    """``value`` as an int in [low, high], or a ZspaceError naming the option."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ZspaceError(f"--{name} {value!r}: synthetic faces need a whole number for the {name}")
    value = int(value)
    if value < low:
        raise ZspaceError(
            f"--{name} {value}: synthetic faces need a {name} of at least {_amount(low, unit)}"
        )
    if high is not None and value > high:
        raise ZspaceError(
            f"--{name} {value}: synthetic faces allow a {name} of at most {_amount(high, unit)}"
        )
    return value


def _amount(number: int, unit: str) -> str:
    """``8 pixels``, ``1 image``, or the bare number when there is no unit."""
    if not unit:
        return str(number)
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _factor_columns(factors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The factor columns as float64 arrays of one length, or a ZspaceError."""
    missing = [name for name in (*FACTOR_NAMES, "glasses") if name not in factors]
    if missing:
        raise ZspaceError(
            f"factors lack {', '.join(missing)}: pass every column that sample_factors returns"
        )
    columns = {
        name: np.asarray(factors[name], dtype=np.float64).reshape(-1)
        for name in (*FACTOR_NAMES, "glasses")
    }
    lengths = {len(columns[name]) for name in (*FACTOR_NAMES, "glasses")}
    if len(lengths) != 1:
        raise ZspaceError(f"factor columns have lengths {sorted(lengths)}: give them one length")
    for name, values in columns.items():
        if not np.isfinite(values).all():
            raise ZspaceError(f"factor {name!r} has NaN or infinite values: give numbers in [0, 1]")
    for name in FACTOR_NAMES:
        columns[name] = np.clip(columns[name], 0.0, 1.0)
    columns["glasses"] = (columns["glasses"] > 0.5).astype(np.float64)
    return columns


class _Grid:
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
        shoulders = _ellipse(self.u, self.v, 0.0, 1.28, 0.92, 0.56, self.px)
        neckline = _ellipse(self.u, self.v, 0.0, 0.70, 0.13, 0.12, self.px)
        self.shoulders = shoulders * (1.0 - neckline)


def _face_params(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
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


def _render_chunk(p: dict[str, np.ndarray], grid: _Grid) -> np.ndarray:
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


def _head_frame(p: dict[str, np.ndarray], grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates in each head's frame: origin at the face centre, tilt undone."""
    # The head turns about the chin, as a head leans on its neck.
    pivot = p["hy"] + 0.9 * p["b"]
    dv = grid.v - pivot
    x = p["cos"] * grid.u + p["sin"] * dv
    y = p["cos"] * dv - p["sin"] * grid.u
    y += 0.9 * p["b"]
    return x, y


def _draw_head(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], grid: _Grid
) -> np.ndarray:
    """Hair behind the head, neck, ears, face oval, nose and mouth; returns the head mask."""
    a, b, px = p["a"], p["b"], grid.px
    ax = np.abs(x)  # ears and hair are mirror-symmetric: one shape draws both sides
    # Ears first: long hair falls over them, short hair leaves them out.
    ears = _ellipse(ax, y, 0.97 * a, 0.16 * b, 0.07, 0.11, px)
    _paint(img, ears, p["skin_shade"])
    # Long hair: a curtain behind the face down to hair_bottom; its top hides
    # under the hair cap, its bottom hides behind the face when the hair is short.
    curtain = _box_bottom(ax, y, 1.06 * a, -0.15 * b, p["hair_bottom"], 0.1, px)
    _paint(img, curtain, p["hair_back"])
    # The neck hangs straight down in screen space from the middle of the head
    # into the shirt, which also hides the ends of long hair.
    neck_d = np.maximum(np.abs(grid.u) - 0.42 * a, p["hy"] - grid.v)
    _paint(img, _ramp(neck_d, px), p["skin_shade"])
    _paint(img, grid.shoulders, p["shirt"])
    head = np.maximum(ears, curtain, out=curtain)
    head *= 1.0 - grid.shoulders
    # The face is an egg: up to 15% narrower towards the chin.
    narrow = np.clip(y * (1.0 / b), 0.0, 1.0)
    narrow *= 0.15
    narrow += 1.0
    narrow *= x
    face = _ellipse(narrow, y, 0.0, 0.0, a, b, px)
    _paint(img, face, p["skin"])
    np.maximum(head, face, out=head)
    _paint(img, _ellipse(x, y, 0.0, 0.18 * b, 0.042, 0.055, px), p["nose"])
    # A smile opens into a D (straight top, round bottom); a frown stays a line.
    mouth_y = y - p["mouth_y"]
    smile = p["smile"]
    opening = 0.6 * np.maximum(smile, 0.0)
    mouth = _stroke(x, mouth_y, 0.32 * a, smile, max(0.02, 0.45 * px), px, swell=opening)
    _paint(img, mouth, _LIPS)
    return head


def _draw_eyes(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], px: float
) -> None:
    """Both eyes (outlined whites, pupils) and the eyebrows, mirrored about x = 0."""
    r = p["eye_r"]
    ex = np.abs(x)
    ex -= p["eye_x"]
    ey = y - p["eye_y"]
    rim = _ellipse_distance(ex, ey, 1.15 * r, r)
    white = rim + max(0.014, 0.5 * px)
    _paint(img, _ramp(rim, px), _INK)
    _paint(img, _ramp(white, px), _WHITE)
    pupil = _ellipse(ex, ey, 0.0, 0.1 * r, 0.55 * r, 0.6 * r, px)
    _paint(img, pupil, _INK)
    # A catch-light, up and to the same side in both eyes (hence the sign of x).
    shift = np.sign(x)
    shift *= 0.22 * r
    shift += ex
    glint = _ellipse(shift, ey, 0.0, -0.15 * r, 0.2 * r, 0.2 * r, px)
    _paint(img, glint, _WHITE)
    brow_y = ey + r + 0.06
    brow = _stroke(ex, brow_y, 1.05 * r + 0.015, -0.4 * r, max(0.016, 0.4 * px), px)
    _paint(img, brow, p["brows"])


def _draw_hair_cap(
    img: np.ndarray, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], px: float
) -> np.ndarray:
    """The hair on top of the head, down to a side-swept hairline; returns its coverage."""
    a, b = p["a"], p["b"]
    cap = _ellipse(x, y, 0.0, -0.03 * b, 1.07 * a, 1.08 * b, px)
    # Hairline: high in the middle, lower at the temples, lower on one side.
    t = x * (1.0 / a)
    line = t * t
    line *= 0.45
    line += 0.08 * t
    line -= 0.45
    line *= b
    line -= y
    line *= -1.0
    np.minimum(cap, _ramp(line, px), out=cap)
    _paint(img, cap, p["hair"])
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
    frame = _ramp(ring - thick, px)
    bridge = _stroke(x, ey + 0.3 * radius, eye_x - radius + thick, -0.02, thick, px)
    np.maximum(frame, bridge, out=frame)
    frame *= p["glasses"]
    _paint(img, frame, _INK)


def _paint(img: np.ndarray, coverage: np.ndarray, colour: np.ndarray) -> None:
    """Composite ``colour`` (3, n, 1, 1) or (3,) over ``img`` where ``coverage`` says."""
    for c in range(3):
        layer = colour[c] - img[c]
        layer *= coverage
        img[c] += layer


def _ramp(d: np.ndarray, px: float) -> np.ndarray:
    """Coverage from signed distance ``d`` (in place): 1 inside, 0 outside, a 1-pixel ramp."""
    d *= -1.0 / px
    d += 0.5
    return np.clip(d, 0.0, 1.0, out=d)


def _ellipse_distance(x: np.ndarray, y: np.ndarray, rx: object, ry: object) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipse centred at the origin."""
    # (q - 1) * r / 2 matches the true distance near the rim, the only place a ramp reads it.
    tx = x * (1.0 / rx)
    tx *= tx
    ty = y * (1.0 / ry)
    ty *= ty
    q = tx + ty
    q -= 1.0
    q *= np.sqrt(rx * ry) * 0.5
    return q


def _ellipse(
    x: np.ndarray, y: np.ndarray, cx: object, cy: object, rx: object, ry: object, px: float
) -> np.ndarray:
    """Coverage of the ellipse centred at (cx, cy) with radii (rx, ry)."""
    return _ramp(_ellipse_distance(x - cx, y - cy, rx, ry), px)


def _stroke(
    x: np.ndarray,
    y: np.ndarray,
    half: object,
    bend: object,
    thick: float,
    px: float,
    swell: np.ndarray | None = None,
) -> np.ndarray:
    """Coverage of a bent line with round caps, centred at the origin.

    The centre line is ``y = bend * (0.5 - (x / half)^2)`` for ``|x| <= half``:
    positive ``bend`` lifts the ends (a smile), negative lifts the middle. The
    half-thickness is ``thick`` at the ends, ``thick + swell`` in the middle.
    (Whether to swell is decided by the caller, never by the batch's values,
    so a face renders the same in any batch.)
    """
    xc = np.minimum(np.maximum(x, -half), half)
    dx = x - xc
    dx *= dx
    t = xc * (1.0 / half)
    t *= t
    fat = None if swell is None else (1.0 - t) * swell
    t -= 0.5
    t *= bend
    t += y  # y minus the centre line
    t *= t
    t += dx
    np.sqrt(t, out=t)
    t -= thick
    if fat is not None:
        t -= fat
    return _ramp(t, px)


def _box_bottom(
    ax: np.ndarray, y: np.ndarray, half: object, top: object, bottom: object, corner: float,
    px: float,
) -> np.ndarray:
    """Coverage of the box |x| < half, top < y < bottom, bottom corners rounded."""
    qx = ax - (half - corner)
    qy = y - (bottom - corner)
    outside = np.sqrt(np.maximum(qx, 0.0) ** 2 + np.maximum(qy, 0.0) ** 2)
    inside = np.minimum(np.maximum(qx, qy), 0.0)
    d = outside + inside
    d -= corner
    np.maximum(d, top - y, out=d)
    return _ramp(d, px)
