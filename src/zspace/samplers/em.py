"""Expectation-maximisation for Gaussian mixtures in PyTorch (float32 matmuls, float64 small algebra).

The same algorithm as scikit-learn's ``GaussianMixture`` (Dempster, Laird &
Rubin 1977; Bishop 2006, sec. 9.2): k-means++ seeding (Arthur & Vassilvitskii
2007, via ``sklearn.cluster.kmeans_plusplus``), hard first responsibilities,
then alternate

    E: r_nk = pi_k N(x_n; mu_k, Sigma_k) / sum_j pi_j N(x_n; mu_j, Sigma_j)
    M: N_k = sum_n r_nk, pi_k = N_k / N, mu_k = sum_n r_nk x_n / N_k,
       Sigma_k = sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T / N_k + reg I

until the mean log-likelihood changes by less than ``tol``. It exists for
speed: the N x d x d products dominate, and torch's CPU BLAS (MKL) runs them
3-6 times faster than the numpy/OpenBLAS path scikit-learn takes, which brings
a 10-component fit on 170,000 x 256 latents under a minute on 2 cores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

_INIT_ROWS = 20_000  # k-means++ seeds from a seeded subsample: it only places the k starting centres


@dataclass
class MixtureFit:
    weights: np.ndarray  # (k,)
    means: np.ndarray  # (k, d)
    covariances: np.ndarray  # (k, d, d) full or (k, d) diag
    converged: bool
    iterations: int
    mean_log_likelihood: float


def _initial_responsibilities(x: torch.Tensor, k: int, seed: int) -> torch.Tensor:
    from sklearn.cluster import kmeans_plusplus

    rng = np.random.default_rng(seed)
    rows = rng.choice(len(x), size=min(len(x), _INIT_ROWS), replace=False) if len(x) > _INIT_ROWS else None
    sample = x.numpy() if rows is None else x.numpy()[np.sort(rows)]
    centres, _ = kmeans_plusplus(sample, k, random_state=seed)
    centres = torch.from_numpy(np.ascontiguousarray(centres, dtype=np.float32))
    # Nearest centre by |x|^2 - 2 x.c + |c|^2 (the |x|^2 term is the same for every centre).
    labels = (centres.pow(2).sum(1) - 2 * x @ centres.T).argmin(1)
    resp = torch.zeros(len(x), k, dtype=torch.float32)
    resp[torch.arange(len(x)), labels] = 1.0
    return resp


def _m_step(x: torch.Tensor, resp: torch.Tensor, cov: str, reg: float):
    counts = resp.sum(0).double() + 10 * np.finfo(np.float32).eps  # (k,)
    means = (resp.T @ x).double() / counts[:, None]  # (k, d)
    covariances = []
    for j in range(resp.shape[1]):
        diff = x - means[j].float()  # (N, d)
        if cov == "full":
            weighted = diff * resp[:, j].sqrt()[:, None]
            c = (weighted.T @ weighted).double() / counts[j]  # symmetric product: MKL's syrk path
            covariances.append(c + reg * torch.eye(x.shape[1], dtype=torch.float64))
        else:
            covariances.append((resp[:, j] @ diff.pow(2)).double() / counts[j] + reg)
    return counts / len(x), means, torch.stack(covariances)


def _e_step(x: torch.Tensor, weights, means, covariances, cov: str) -> tuple[torch.Tensor, float]:
    """Log responsibilities (N, k) and the mean log-likelihood."""
    n, d = x.shape
    weighted = torch.empty(n, len(weights), dtype=torch.float32)
    for j in range(len(weights)):
        diff = x - means[j].float()
        if cov == "full":
            chol = torch.linalg.cholesky(covariances[j])  # float64 (d, d)
            precision_chol = torch.linalg.solve_triangular(chol, torch.eye(d, dtype=torch.float64), upper=False).T
            y = diff @ precision_chol.float()  # (N, d): L^{-1}(x - mu) as rows
            log_det = torch.log(torch.diagonal(precision_chol)).sum()
        else:
            inv_std = covariances[j].rsqrt()
            y = diff * inv_std.float()
            log_det = torch.log(inv_std).sum()
        log_gauss = -0.5 * (d * math.log(2 * math.pi) + y.pow(2).sum(1)) + float(log_det)
        weighted[:, j] = log_gauss + float(torch.log(weights[j]))
    log_norm = torch.logsumexp(weighted, dim=1)  # (N,)
    return weighted - log_norm[:, None], float(log_norm.double().mean())


def fit_mixture(latents: np.ndarray, k: int, cov: str = "full", seed: int = 0, max_iter: int = 100,
                tol: float = 1e-3, reg: float = 1e-6) -> MixtureFit:
    """Fit a k-component mixture with full or diagonal covariances; deterministic for a seed."""
    x = torch.from_numpy(np.ascontiguousarray(latents, dtype=np.float32))
    with torch.no_grad():
        resp = _initial_responsibilities(x, k, seed)
        weights, means, covariances = _m_step(x, resp, cov, reg)
        lower_bound, converged, iterations = -math.inf, False, 0
        while iterations < max_iter:
            iterations += 1
            previous = lower_bound
            log_resp, lower_bound = _e_step(x, weights, means, covariances, cov)
            weights, means, covariances = _m_step(x, log_resp.exp(), cov, reg)
            if abs(lower_bound - previous) < tol:
                converged = True
                break
        _, final = _e_step(x, weights, means, covariances, cov)
    return MixtureFit(weights.numpy(), means.numpy(), covariances.numpy(), converged, iterations, final)
