"""Voids: how often a random point lies farther from the cloud than the cloud's own points lie from each other.

A probe is "in a void" when its nearest data point is farther than the data's
typical neighbour distance, the median nearest-neighbour distance of the
data's own points (SPEC X3). The void fraction is the share of probes in voids.
Probe sets (drawn once, seeded, and used for the data and every null draw):

- ``standard_normal``: N(0, I), what a VAE's prior sampler draws (SPEC S16);
- ``fitted_gaussian``: N(mean, covariance) of the data (SPEC X2's full Gaussian);
- ``uniform_b4``, ``uniform_b1.5``: uniform in [-b, b]^d, the seed's
  "statistical vectors" (SPEC S10, S17).

In high dimension nearly every probe is in a void, for any cloud, because the
volume grows as r^d: the question is whether the data has *more* void than a
Gaussian of the same mean and covariance, which is the null test.

:func:`void_scores` is the per-point version for the link to generation: the
distance of each point to the nearest data point divided by the data's typical
neighbour distance (> 1: in a void).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zspace.errors import ZspaceError
from zspace.neighbours import NeighbourIndex


def probe_name(kind: str, bound: float | None = None) -> str:
    return kind if bound is None else f"{kind}_b{bound:g}"


def probe_sets(dim: int, count: int, colouring: np.ndarray, mean: np.ndarray, rng: np.random.Generator,
               bounds: tuple[float, ...] = (4.0, 1.5)) -> dict[str, np.ndarray]:
    """The probe sets, each (count, dim) float64. ``colouring`` (r, d) with colouring.T @ colouring = covariance."""
    sets = {
        "standard_normal": rng.standard_normal((count, dim)),
        "fitted_gaussian": rng.standard_normal((count, colouring.shape[0])) @ colouring + mean,
    }
    for bound in bounds:
        if bound <= 0:
            raise ZspaceError(f"uniform probe bound b = {bound} must be positive")
        sets[probe_name("uniform", bound)] = rng.uniform(-bound, bound, size=(count, dim))
    return sets


def probe_distances(index: NeighbourIndex, probes: dict[str, np.ndarray],
                    advance: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
    """Distance of every probe to its nearest point of the indexed cloud, per probe set.

    All sets go through one search: faiss pays a synchronisation per block of references and call, which
    costs more than the search itself for a few hundred probes on busy cores (benchmarks/structure_speed.py).
    """
    if not probes:
        return {}
    everything = np.concatenate(list(probes.values()))  # (sum of counts, d)
    nearest = index.query_in_chunks(everything, 1, advance=advance)[0][:, 0]
    bounds = np.cumsum([0] + [len(points) for points in probes.values()])
    return {name: nearest[bounds[i]:bounds[i + 1]] for i, name in enumerate(probes)}


def void_fractions(distances: dict[str, np.ndarray], typical_distance: float) -> dict[str, float]:
    """Share of probes of each set farther from the cloud than ``typical_distance``."""
    return {name: float(np.mean(values > typical_distance)) for name, values in distances.items()}


def typical_distance(data: np.ndarray, query_points: int = 2000, seed: int = 0, backend: str = "auto",
                     index: NeighbourIndex | None = None) -> float:
    """Median nearest-neighbour distance of (a seeded subsample of) the data's points among all data points."""
    index = index if index is not None else NeighbourIndex(np.asarray(data), backend)
    rng = np.random.default_rng(seed)
    rows = np.arange(len(index)) if query_points >= len(index) else np.sort(
        rng.choice(len(index), size=query_points, replace=False))
    distances, _ = index.query_in_chunks(index.references[rows], 1, self_rows=rows)
    return float(np.median(distances[:, 0]))


def void_scores(points: np.ndarray, data: np.ndarray, reference_distance: float | None = None,
                query_points: int = 2000, seed: int = 0, backend: str = "auto") -> np.ndarray:
    """Per point: distance to the nearest data point / the data's typical neighbour distance (> 1: in a void).

    ``points`` (m, d), e.g. a sampler's z before decoding; ``data`` (N, d), the encoded data (memmap ok).
    ``reference_distance``: the typical distance if already known (``StructureResult.typical_distance``),
    else the median nearest-neighbour distance of ``query_points`` data points (seeded).
    """
    points = np.asarray(points, dtype=np.float64)
    data = np.asarray(data)
    if points.ndim != 2 or data.ndim != 2 or points.shape[1] != data.shape[1]:
        raise ZspaceError(f"void scores need points (m, d) and data (N, d) of one d,"
                          f" got {points.shape} and {data.shape}")
    if not np.all(np.isfinite(points)):
        raise ZspaceError("void scores: points contain NaN or inf")
    index = NeighbourIndex(data, backend)
    if reference_distance is None:
        reference_distance = typical_distance(data, query_points, seed, index=index)
    if not reference_distance > 0:
        raise ZspaceError(f"void scores need a positive typical neighbour distance, got {reference_distance}")
    distances, _ = index.query_in_chunks(points, 1)
    return distances[:, 0] / reference_distance
