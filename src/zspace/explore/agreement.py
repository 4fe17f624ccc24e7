"""Neighbourhood agreement between two latent spaces of the same images: where do two models disagree?

For row i, with N_a(i) its k nearest neighbours in space a (exact L2, i itself left out) and
N_b(i) those in space b,

    agreement(i) = |N_a(i) ∩ N_b(i)| / k        in [0, 1]

1 where both models put the same images around image i (a rotation or any isometry of a gives 1
everywhere), about k / (n - 1) where b is unrelated to a (chance overlap). It is symmetric in a
and b. Above ``sample`` rows the neighbours are searched within a fixed random sample of
``sample`` rows (the same rows for every pair of runs of a given size and seed), and the other rows
are NaN: exact search among 20,000 rows costs seconds, among a million it would cost hours.
"""

from __future__ import annotations

import numpy as np

from zspace.neighbours import knn

NEIGHBOURS = 10
SAMPLE_ROWS = 20_000


def agreement_sample(count: int, sample: int = SAMPLE_ROWS, seed: int = 0) -> np.ndarray:
    """The rows (ascending) whose agreement is measured: all of them up to ``sample``, else a fixed random sample."""
    if count <= sample:
        return np.arange(count, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(count, size=sample, replace=False))


def neighbourhood_agreement(a: np.ndarray, b: np.ndarray, k: int = NEIGHBOURS, sample: int = SAMPLE_ROWS,
                            seed: int = 0) -> np.ndarray:
    """float32 (N,): the share of each row's ``k`` nearest neighbours in ``a`` (N, d_a) that are among its ``k``
    nearest in ``b`` (N, d_b); NaN for rows outside the sample (see the module docstring)."""
    if len(a) != len(b):
        raise ValueError(f"agreement needs the same rows in both spaces, not {len(a)} and {len(b)}")
    rows = agreement_sample(len(a), sample, seed)
    out = np.full(len(a), np.nan, dtype=np.float32)
    if len(rows) < 2:
        return out
    k = min(k, len(rows) - 1)
    mine = np.arange(len(rows))
    found = []
    for space in (a, b):
        points = np.asarray(space[rows], dtype=np.float32)
        found.append(knn(points, points, k, self_rows=mine)[1])
    # |A ∩ B| per row in one isin: row i's neighbour ids are offset by i * n, so rows never mix
    first, second = found
    offsets = (np.arange(len(rows)) * len(rows))[:, None]
    flat = (second + offsets).ravel()
    hits = np.isin(first + offsets, flat, assume_unique=True)
    out[rows] = hits.sum(axis=1) / k
    return out
