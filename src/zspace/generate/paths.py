"""Paths through the latent space: interpolation between two points and traversal along an axis.

Spherical interpolation follows Shoemake 1985 (quaternion slerp) as used for
generative models by White 2016 ("Sampling Generative Networks"): under a
Gaussian prior, points on the straight line between two samples have too
small a norm; slerp keeps the norm near that of the endpoints:

    slerp(a, b; t) = sin((1-t) w) / sin(w) a + sin(t w) / sin(w) b,   cos w = a.b / (|a| |b|)
"""

from __future__ import annotations

import numpy as np

from zspace.analysis.pca import pca_from_covariance
from zspace.errors import ZspaceError

METHODS = ("linear", "spherical")


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 - t) a + t b for each t: (d,), (d,), (m,) -> (m, d)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.asarray(t, np.float64)[:, None]
    return ((1 - t) * a + t * b).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation (White 2016, eq. above): (d,), (d,), (m,) -> (m, d).

    Falls back to :func:`lerp` when a and b are (anti)parallel or zero, where
    the great circle is undefined.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.asarray(t, np.float64)
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        return lerp(a, b, t)
    omega = np.arccos(np.clip(a @ b / norms, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(a, b, t)
    weight_a = np.sin((1 - t) * omega) / np.sin(omega)  # (m,)
    weight_b = np.sin(t * omega) / np.sin(omega)
    return (weight_a[:, None] * a + weight_b[:, None] * b).astype(np.float32)


def interpolate(a: np.ndarray, b: np.ndarray, steps: int = 9, method: str = "linear") -> np.ndarray:
    """``steps`` points from a to b inclusive, linear or spherical: (steps, d) float32."""
    if method not in METHODS:
        raise ZspaceError(f"interpolation {method!r} is unknown; choose one of: {', '.join(METHODS)}")
    if steps < 2:
        raise ZspaceError(f"steps={steps} is not allowed; interpolation needs at least 2 (the endpoints)")
    t = np.linspace(0.0, 1.0, steps)
    return lerp(a, b, t) if method == "linear" else slerp(a, b, t)


def traverse(base: np.ndarray, direction: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """base + offset * direction for every base point and offset: (r, d), (d,), (m,) -> (r, m, d)."""
    base = np.atleast_2d(np.asarray(base, np.float32))
    direction = np.asarray(direction, np.float32)
    offsets = np.asarray(offsets, np.float32)
    return base[:, None, :] + offsets[None, :, None] * direction[None, None, :]


def component_axis(latents: np.ndarray, component: int) -> np.ndarray:
    """Unit vector e_i scaled by the data's std of component i: a step of 1 is one standard deviation."""
    latents = np.asarray(latents)
    if not 0 <= component < latents.shape[1]:
        raise ZspaceError(f"component {component} does not exist; choose 0 ... {latents.shape[1] - 1}")
    axis = np.zeros(latents.shape[1], np.float32)
    axis[component] = np.asarray(latents[:, component], np.float64).std()
    return axis


def principal_axis(latents: np.ndarray, number: int) -> np.ndarray:
    """Principal axis ``number`` (1 = largest variance, as in seed S12) scaled by its standard deviation.

    The axes come from :func:`zspace.analysis.pca.pca_from_covariance`, the one PCA of zspace
    (same axes and sign convention as the analysis figures).
    """
    data = np.asarray(latents, np.float64)
    if not 1 <= number <= data.shape[1]:
        raise ZspaceError(f"principal axis {number} does not exist; choose 1 ... {data.shape[1]}")
    centred = data - data.mean(0)
    pca = pca_from_covariance(data.mean(0), centred.T @ centred / len(data))
    return (pca.components[number - 1] * np.sqrt(pca.explained_variance[number - 1])).astype(np.float32)


def parse_traversal(spec: str) -> tuple[str, int]:
    """'component:3' -> ('component', 3); 'pca:1' -> ('pca', 1)."""
    kind, _, number = spec.partition(":")
    if kind not in ("component", "pca") or not number.strip().isdigit():
        raise ZspaceError(f"traversal {spec!r} is malformed; write component:I (0-based) or pca:J (1 = largest)")
    return kind, int(number)
