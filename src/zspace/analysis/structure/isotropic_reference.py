"""How elongated a neighbourhood of an isotropic cloud of dimension D looks: the reference of the filament claim.

The median log(lambda_1 / lambda_2) of local PCA (:mod:`local_shape`) falls as
the local dimension rises, for any cloud: k + 1 points scattered isotropically
in D dimensions give a sample covariance whose two largest eigenvalues differ
by chance, the more so the fewer the dimensions (issue 21: at k = 20 isotropic
Gaussians of dimension 2 / 4 / 8 / 32 give about 0.47 / 0.33 / 0.25 / 0.15).
So a cloud of low local dimension - a curved 8-dimensional sheet - looks "more
elongated" than a Gaussian that fills 20 dimensions, without being filaments.

The reference is the same statistic for the neighbourhood of a point in a
locally uniform, isotropic cloud of dimension D: the k nearest neighbours of a
point where the density is constant are uniform in the ball of radius T_k
around it (the picture behind the Levina-Bickel estimator). Each reference value
is a seeded simulation - the point at the centre and k points uniform in the
unit D-ball (a direction uniform on the sphere, a radius U^(1/D)), the median
of log(lambda_1 / lambda_2) over the simulated neighbourhoods - so it is a
fixed function of (D, k); non-integer D is interpolated linearly between the
integers around it, and D is clipped to [2, MAXIMUM_DIMENSION]: below 2 there
is no isotropic shape to compare with (a 1-dimensional cloud is a filament),
and the reference flattens out in many dimensions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from zspace.analysis.structure.local_shape import log_eigenvalue_ratio

# Neighbourhoods per (D, k): 400 up to k = 64, then fewer as the ratio's spread shrinks (100 at k >= 256); the
# median's standard error stays below about 0.01.
SIMULATIONS = 400
MINIMUM_DIMENSION = 2
MAXIMUM_DIMENSION = 128
SEED = 21  # the reference is a fixed function: one seed for every (D, k)


def uniform_ball(count: int, dimension: int, rng: np.random.Generator, shape: tuple[int, ...] = ()) -> np.ndarray:
    """``shape + (count, dimension)`` points uniform in the unit ball (Gaussian directions, radius U^(1/D))."""
    directions = rng.standard_normal(shape + (count, dimension))
    directions /= np.linalg.norm(directions, axis=-1, keepdims=True)
    return directions * rng.uniform(size=shape + (count, 1)) ** (1.0 / dimension)


@lru_cache(maxsize=1024)
def _simulated(dimension: int, k: int) -> float:
    """Median log(lambda_1 / lambda_2) of a point with k neighbours uniform in a ball of ``dimension``."""
    rng = np.random.default_rng([SEED, dimension, k])
    simulations = max(SIMULATIONS // 4, min(SIMULATIONS, SIMULATIONS * 64 // k))
    values = []
    batch = max(1, min(simulations, 2**22 // ((k + 1) * dimension)))
    for start in range(0, simulations, batch):
        count = min(batch, simulations - start)
        points = np.concatenate([np.zeros((count, 1, dimension)), uniform_ball(k, dimension, rng, (count,))], axis=1)
        values.append(log_eigenvalue_ratio(points))
    return float(np.median(np.concatenate(values)))


def isotropic_anisotropy(dimension: float, k: int) -> float:
    """Median log(lambda_1 / lambda_2) of k-neighbourhoods of an isotropic cloud of (possibly non-integer)
    ``dimension``, clipped to [MINIMUM_DIMENSION, MAXIMUM_DIMENSION]; NaN for a NaN dimension."""
    if not np.isfinite(dimension):
        return float("nan") if np.isnan(dimension) else _simulated(MAXIMUM_DIMENSION, k)
    dimension = float(np.clip(dimension, MINIMUM_DIMENSION, MAXIMUM_DIMENSION))
    low = int(np.floor(dimension))
    weight = dimension - low
    if weight == 0.0:
        return _simulated(low, k)
    return (1.0 - weight) * _simulated(low, k) + weight * _simulated(low + 1, k)
