"""Which known factor does a found structure follow? (docs/findings.md; synthetic faces know their factors)

Three questions, each answered per factor column of the index table:

- :func:`plane_factors`: how much of a factor a PCA plane carries, R^2 of the
  factor regressed on the plane's two coordinates (linear) and on the angle
  around the plane's centre (cos, sin of the angle: a ring's position; a
  factor that turns exactly once with the angle reaches only 6/pi^2 = 0.61
  there, the first harmonic of a sawtooth); eta^2 for a class label;
- :func:`circular_alignment`: for a circular factor (a hue in [0, 1) that
  wraps), the mean resultant length |mean(exp(i (angle -+ 2 pi f)))|: 1 when the
  angle around a ring turns exactly with the factor, about 1/sqrt(n) when not;
- :func:`local_factor_alignment`: along the leading local direction of
  k-neighbourhoods (a filament's axis, the local anisotropy test's lambda1),
  the mean |Pearson r| between the neighbours' positions on that axis and
  each factor: the factor that changes along the filaments.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zspace.errors import ZspaceError
from zspace.neighbours import NeighbourIndex


def _r_squared(features: np.ndarray, target: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(target)), features])
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ coefficients
    total = np.sum((target - target.mean()) ** 2)
    return float(1.0 - residual @ residual / total) if total > 0 else float("nan")


def is_categorical(values: np.ndarray, limit: int = 30) -> bool:
    """A class label: strings, or integers with 3 to ``limit`` distinct values (binary factors stay numeric)."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.number):
        return True
    if not np.issubdtype(values.dtype, np.integer) and not np.all(values == np.round(values)):
        return False
    return 2 < len(np.unique(values)) <= limit


def _factor_columns(factors: Mapping[str, np.ndarray], count: int, categorical: bool = False) -> dict[str, np.ndarray]:
    """The numeric factor columns (or, with ``categorical``, the class-label columns) as arrays."""
    columns = {}
    for name, values in factors.items():
        values = np.asarray(values)
        if len(values) != count:
            raise ZspaceError(f"factor {name!r} has {len(values)} rows, the points {count}")
        if is_categorical(values) == categorical:
            columns[name] = values if categorical else values.astype(np.float64)
    return columns


def eta_squared(points: np.ndarray, labels: np.ndarray) -> float:
    """Share of the points' total variance (summed over columns) between the classes' means."""
    points = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    total = np.sum((points - points.mean(axis=0)) ** 2)
    within = sum(np.sum((points[labels == c] - points[labels == c].mean(axis=0)) ** 2) for c in np.unique(labels))
    return float(1.0 - within / total) if total > 0 else float("nan")


def plane_factors(plane: np.ndarray, factors: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Per factor: R^2 of a numeric factor from the plane's (a, b) and from its angle around the plane's centre;
    for a class label, eta^2: the share of the plane's variance (of (a, b); of (cos, sin) of the angle) between
    the classes."""
    plane = np.asarray(plane, dtype=np.float64)
    angle = plane_angle(plane)
    ring = np.column_stack([np.cos(angle), np.sin(angle)])
    out = {name: {"linear_r2": _r_squared(plane, values), "angle_r2": _r_squared(ring, values)}
           for name, values in _factor_columns(factors, len(plane)).items()}
    for name, labels in _factor_columns(factors, len(plane), categorical=True).items():
        out[name] = {"linear_r2": eta_squared(plane, labels), "angle_r2": eta_squared(ring, labels)}
    return out


def neighbour_agreement(vectors: np.ndarray, labels: np.ndarray, k: int = 10, queries: int = 2000, seed: int = 0,
                        backend: str = "auto") -> dict[str, float]:
    """Share of each point's k nearest neighbours with its class, and the share two random points would have."""
    vectors = np.asarray(vectors, dtype=np.float64)
    labels = np.asarray(labels)
    rows = np.random.default_rng(seed).choice(len(vectors), size=min(queries, len(vectors)), replace=False)
    _, neighbours = NeighbourIndex(vectors, backend).query_in_chunks(vectors[rows], k, self_rows=rows)
    _, counts = np.unique(labels, return_counts=True)
    return {"same_class_share": float(np.mean(labels[neighbours] == labels[rows, None])),
            "chance": float(np.sum((counts / counts.sum()) ** 2)), "k": k}


def plane_angle(plane: np.ndarray) -> np.ndarray:
    """Angle of each point around the plane's centre, in units of each axis' spread."""
    plane = np.asarray(plane, dtype=np.float64)
    centred = (plane - plane.mean(axis=0)) / plane.std(axis=0)
    return np.arctan2(centred[:, 1], centred[:, 0])


def circular_alignment(angle: np.ndarray, factor: np.ndarray) -> dict[str, float]:
    """How exactly ``angle`` (radians) turns with a circular ``factor`` in [0, 1): mean resultant lengths.

    ``turning``: max over both senses of |mean exp(i (angle - s 2 pi f))|; ``offset``: the angle at f = 0.
    """
    phase = 2 * np.pi * np.asarray(factor, dtype=np.float64)
    best = {"turning": 0.0, "sense": 0.0, "offset": 0.0}
    for sense in (1.0, -1.0):
        resultant = np.mean(np.exp(1j * (np.asarray(angle) - sense * phase)))
        if abs(resultant) > best["turning"]:
            best = {"turning": float(abs(resultant)), "sense": sense, "offset": float(np.angle(resultant))}
    return best


def local_factor_alignment(vectors: np.ndarray, factors: Mapping[str, np.ndarray], k: int = 20,
                           queries: int = 2000, seed: int = 0, backend: str = "auto") -> dict[str, object]:
    """Mean |r| between position along each k-neighbourhood's leading local axis and each factor.

    Returns ``{"alignment": {factor: mean |r|}, "chance": expected |r| of an unrelated factor, "anisotropy":
    median lambda1 / lambda2}``; the chance level is sqrt(2 / (pi (k - 1))) for k + 1 points.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    columns = _factor_columns(factors, len(vectors))
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(vectors), size=min(queries, len(vectors)), replace=False)
    index = NeighbourIndex(vectors, backend)
    _, neighbours = index.query_in_chunks(vectors[rows], k + 1)
    sums = dict.fromkeys(columns, 0.0)
    counts = dict.fromkeys(columns, 0)
    ratios = []
    for members in neighbours:
        local = vectors[members] - vectors[members].mean(axis=0)
        _, singular, axes = np.linalg.svd(local, full_matrices=False)
        ratios.append(singular[0] ** 2 / max(singular[1] ** 2, 1e-300))
        position = local @ axes[0]
        for name, values in columns.items():
            local_values = values[members]
            if np.std(local_values) > 0:
                sums[name] += abs(np.corrcoef(position, local_values)[0, 1])
                counts[name] += 1
    alignment = {name: sums[name] / counts[name] if counts[name] else float("nan") for name in columns}
    return {"alignment": alignment, "chance": float(np.sqrt(2 / (np.pi * k))),
            "anisotropy": float(np.median(ratios)), "k": k, "queries": len(rows)}
