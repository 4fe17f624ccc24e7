"""The null model of issue 12 (SPEC X3): a Gaussian with the data's mean and covariance exactly, and the same N.

A draw is made in three steps:

1. G: N x r independent standard normals, r = the rank of the data covariance;
2. whiten G exactly: centre it, then G_w = G_c L^-T with L the Cholesky factor
   of G's own sample covariance, so G_w has mean 0 and covariance I up to rounding
   (computed with step 3 as one product G_c (L^-T B), one N x r x d multiplication);
3. colour with the data: Y = mean + G_w B, B = Lambda^(1/2) V^T from the
   eigendecomposition S = V Lambda V^T of the data covariance (eigenvalues at
   rounding level dropped, which is what makes rank-deficient data such as a
   10-d subspace in 256-d work). Then mean(Y) = mean and cov(Y) = B^T B = S.

Why the exact moments make the tests exact under the null hypothesis "the data
is Gaussian": the sample mean and covariance are sufficient statistics of a
Gaussian, and given them the whitened data W = (X - mean) F^-1 (F^T F = S) is
uniformly (Haar) distributed over the N x r matrices with zero column sums and
W^T W = (N - 1) I, because left multiplication by any orthogonal matrix that
fixes the vector of ones leaves both the Gaussian sample and S unchanged. Step 2
gives exactly that uniform distribution for G_w, whatever whitening convention,
so data and null draws are exchangeable given (mean, S): any statistic computed
the same way on each has the same distribution for both. The null then differs
from the data only in what a Gaussian cannot have - filaments, voids, clusters.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from zspace.analysis.structure.local_shape import one_blas_thread
from zspace.errors import ZspaceError

# Eigenvalues below this fraction of the largest are rounding, not variance (float64, d up to ~10^4).
RANK_TOLERANCE = 1e-12


class GaussianNull:
    """Draws of N points with exactly the mean and covariance of the fitted data.

    ``fit(data)`` returns self; fitted attributes ``mean_`` (d,), ``covariance_`` (d, d), ``count_`` (N),
    ``colouring_`` (r, d) and ``rank_``. ``draw(rng)`` returns an (N, d) float64 array.
    """

    def fit(self, data: np.ndarray) -> GaussianNull:
        data = np.asarray(data, dtype=np.float64)
        if data.ndim != 2 or len(data) < 3:
            raise ZspaceError(f"the null model needs an (N, d) array with N >= 3, got shape {data.shape}")
        mean = data.mean(axis=0)
        centred = data - mean
        with one_blas_thread():  # a thin product, as in draw()
            covariance = centred.T @ centred / (len(data) - 1)
        self.fit_moments(mean, (covariance + covariance.T) / 2, len(data))
        return self

    def fit_moments(self, mean: np.ndarray, covariance: np.ndarray, count: int) -> GaussianNull:
        """Fit from moments already computed (e.g. :func:`zspace.analysis.moments.streaming_moments`)."""
        values, vectors = np.linalg.eigh(covariance)
        keep = values > RANK_TOLERANCE * max(float(values.max()), 0.0)
        if not keep.any():
            raise ZspaceError("the null model needs data with some variance; every point is the same")
        rank = int(keep.sum())
        if count <= rank + 1:
            raise ZspaceError(f"the null model needs more points ({count}) than the covariance rank + 1 ({rank + 1})")
        self.mean_ = np.asarray(mean, dtype=np.float64)
        self.covariance_ = np.asarray(covariance, dtype=np.float64)
        self.count_ = int(count)
        self.rank_ = rank
        self.colouring_ = np.sqrt(values[keep])[:, None] * vectors[:, keep].T  # (r, d): B = Lambda^1/2 V^T
        return self

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """One null cloud (N, d) float64 with sample mean and covariance equal to the data's."""
        gaussian = rng.standard_normal((self.count_, self.rank_))  # (N, r)
        gaussian -= gaussian.mean(axis=0)
        with one_blas_thread():  # thin products: a second BLAS thread only waits (40x slower on busy cores)
            own = gaussian.T @ gaussian / (self.count_ - 1)  # (r, r)
            lower = np.linalg.cholesky((own + own.T) / 2)
            # G_w = G_c L^-T and Y = G_w B + mean, in one product: M = L^-T B (r, d), Y = G_c M + mean
            mixing = solve_triangular(lower.T, self.colouring_, lower=False, check_finite=False)  # (r, d)
            cloud = gaussian @ mixing  # (N, d)
        cloud -= cloud.mean(axis=0)  # remove the rounding left in the mean
        cloud += self.mean_
        return cloud
