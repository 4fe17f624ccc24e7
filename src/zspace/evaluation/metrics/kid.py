"""Kernel Inception Distance: the unbiased MMD² with a cubic polynomial kernel.

Bińkowski et al. 2018 ("Demystifying MMD GANs", sec. 4 and appendix D) measure
two feature sets X (m rows) and Y (n rows) by the unbiased estimator of the
squared maximum mean discrepancy (Gretton et al. 2012, eq. 3):

    MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ) / (n(n−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / (mn)

with k(x, y) = (x·y / d + 1)³. Unlike FD it has no sample-size bias (its mean
does not move with n), and it can be slightly negative when the sets match.
As in torch-fidelity (kid_subsets=100, kid_subset_size=1000, std with ddof=0),
it is averaged over random subsets of equal size drawn without replacement; the
std over subsets is its spread. The subset size is min(1000, ⌊min(m, n) / 2⌋):
at most half of the smaller set, so that subsets differ and the spread says how
much KID moves with the rows drawn. (torch-fidelity caps at min(m, n); a subset
of every row is the whole set each time, and the spread is 0 whatever the data.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.errors import ZspaceError


@dataclass(frozen=True)
class KernelDistance:
    mean: float
    std: float
    subsets: int
    subset_size: int
    values: np.ndarray  # (subsets,) MMD² of each subset


@dataclass(frozen=True)
class RealSubset:
    rows: np.ndarray  # (size,) sorted row numbers of the real set
    within: float  # Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) over the subset


def subset_size_for(requested: int, real_count: int, fake_count: int) -> int:
    """Rows per KID subset: ``requested``, at most half the smaller set (see the module docstring)."""
    return min(requested, min(real_count, fake_count) // 2)


def real_kernel_subsets(real: np.ndarray, subsets: int, size: int, rng: np.random.Generator) -> list[RealSubset]:
    """``subsets`` random real subsets of ``size`` rows with their within-set term of MMD²ᵤ, to reuse."""
    chosen = []
    for _ in range(subsets):
        # Sorted rows read a memmap in order; the estimator does not depend on row order.
        rows = np.sort(rng.choice(len(real), size, replace=False))
        k_xx = polynomial_kernel(np.asarray(real[rows], dtype=np.float64), np.asarray(real[rows], dtype=np.float64))
        chosen.append(RealSubset(rows, float((k_xx.sum() - np.trace(k_xx)) / (size * (size - 1)))))
    return chosen


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k(x, y) = (x·y / d + 1)³ for all row pairs: (m, d), (n, d) -> (m, n), float64."""
    base = x @ y.T  # (m, n)
    base /= x.shape[1]
    base += 1.0
    cube = base * base  # two multiplications: numpy's general ** 3 is about 10x slower
    cube *= base
    return cube


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² (Gretton et al. 2012, eq. 3) between all rows of x and all rows of y."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m, n = len(x), len(y)
    k_xx, k_yy = polynomial_kernel(x, x), polynomial_kernel(y, y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))  # leave out the i = j terms
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    across = polynomial_kernel(x, y).sum() / (m * n)
    return float(within_x + within_y - 2.0 * across)


def kernel_inception_distance(
    real: np.ndarray, fake: np.ndarray, subsets: int = 100, subset_size: int = 1000,
    rng: np.random.Generator | None = None, real_subsets: list[RealSubset] | None = None,
) -> KernelDistance:
    """Mean and std of the unbiased MMD² over ``subsets`` random subsets of both sets.

    ``real_subsets``: the real subsets with their within-set kernel sums, made once by :func:`real_kernel_subsets`
    (one real set against many fake sets); ``rng`` then draws only the fake subsets.
    """
    if subsets < 1:
        raise ZspaceError(f"KID subsets {subsets}: KID needs at least 1 subset", options=("kid_subsets",))
    size = subset_size_for(subset_size, len(real), len(fake))
    if size < 2:
        raise ZspaceError(f"KID subset size {size} (of {len(real)} real and {len(fake)} fake rows): KID needs "
                          "subsets of at least 2 rows, at most half of each set, so at least 4 rows in each")
    rng = rng if rng is not None else np.random.default_rng(0)
    if real_subsets is None:
        real_subsets = real_kernel_subsets(real, subsets, size, rng)
    if len(real_subsets) < subsets or any(len(subset.rows) != size for subset in real_subsets):
        raise ZspaceError(f"real_subsets: need {subsets} subsets of {size} rows")
    values = np.empty(subsets)
    for index, subset in enumerate(real_subsets[:subsets]):
        x = np.asarray(real[subset.rows], dtype=np.float64)
        y = np.asarray(fake[np.sort(rng.choice(len(fake), size, replace=False))], dtype=np.float64)
        k_yy = polynomial_kernel(y, y)
        within_y = (k_yy.sum() - np.trace(k_yy)) / (size * (size - 1))
        values[index] = subset.within + within_y - 2.0 * polynomial_kernel(x, y).sum() / (size * size)
    return KernelDistance(float(values.mean()), float(values.std()), subsets, size, values)
