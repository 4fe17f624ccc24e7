"""Shapes for the synthetic faces: signed distance fields turned into pixel coverage.

Each shape is a signed distance field (negative inside) turned into coverage with a
ramp about one pixel wide, so edges are anti-aliased and move continuously with the
shape's parameters; :func:`paint` composites a colour by coverage. Only elementwise
arithmetic, often in place: a pixel's value never depends on the rest of its batch.
"""

from __future__ import annotations

import numpy as np


def paint(img: np.ndarray, coverage: np.ndarray, colour: np.ndarray) -> None:
    """Composite ``colour`` (3, n, 1, 1) or (3,) over ``img`` where ``coverage`` says."""
    for c in range(3):
        layer = colour[c] - img[c]
        layer *= coverage
        img[c] += layer


def ramp(d: np.ndarray, px: float) -> np.ndarray:
    """Coverage from signed distance ``d`` (in place): 1 inside, 0 outside, a 1-pixel ramp."""
    d *= -1.0 / px
    d += 0.5
    return np.clip(d, 0.0, 1.0, out=d)


def ellipse_distance(x: np.ndarray, y: np.ndarray, rx: object, ry: object) -> np.ndarray:
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


def ellipse(
    x: np.ndarray, y: np.ndarray, cx: object, cy: object, rx: object, ry: object, px: float
) -> np.ndarray:
    """Coverage of the ellipse centred at (cx, cy) with radii (rx, ry)."""
    return ramp(ellipse_distance(x - cx, y - cy, rx, ry), px)


def stroke(
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
    return ramp(t, px)


def box_bottom(
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
    return ramp(d, px)
