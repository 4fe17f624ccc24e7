"""Precision, recall, density, coverage and the per-sample realism score, from k-NN balls.

Each real feature vector rᵢ gets a ball of radius NNDₖ(rᵢ), the distance to its
k-th nearest other real vector; the union of the balls estimates the support of
the real distribution (likewise for the fake vectors fⱼ). With 1(·) the
indicator and strict ``<`` as in the authors' ``prdc`` package:

- precision = (1/M) Σⱼ 1(∃i: ‖fⱼ − rᵢ‖ < NNDₖ(rᵢ))   (Kynkäänniemi et al. 2019, eq. 1-2)
- recall    = (1/N) Σᵢ 1(∃j: ‖rᵢ − fⱼ‖ < NNDₖ(fⱼ))   (same, roles swapped)
- density   = 1/(kM) Σⱼ Σᵢ 1(‖fⱼ − rᵢ‖ < NNDₖ(rᵢ))   (Naeem et al. 2020, eq. 3)
- coverage  = (1/N) Σᵢ 1(minⱼ ‖rᵢ − fⱼ‖ < NNDₖ(rᵢ))   (Naeem et al. 2020, eq. 4)

Realism score of a fake vector (Kynkäänniemi et al. 2019, sec. 5, eq. 3):
R(fⱼ) = maxᵢ NNDₖ(rᵢ) / ‖fⱼ − rᵢ‖ over the real vectors whose radius is at most
the median radius (their code: clamp_to_percentile=50, which drops the largest,
outlier balls). R ≥ 1 means fⱼ lies inside a retained ball. Their code uses
squared distances in this ratio; we use the paper's plain distances (the square
root of theirs: same ranking, same threshold 1). A sample that coincides with a
retained real vector scores very high, inf when its distance rounds to 0.

All of it comes from one pass over real-vs-fake distance blocks
(``distances.py``); no N x M matrix is held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.errors import ZspaceError
from zspace.evaluation.metrics.distances import BLOCK_BYTES, distance_blocks, kth_neighbour_radii


@dataclass(frozen=True)
class ManifoldMetrics:
    precision: float
    recall: float
    density: float
    coverage: float
    k: int
    realism: np.ndarray  # (M,) realism score of each fake vector


def precision_recall_density_coverage(
    real: np.ndarray, fake: np.ndarray, k: int = 5, realism_percentile: float = 50.0,
    block_bytes: int = BLOCK_BYTES, real_radii: np.ndarray | None = None,
) -> ManifoldMetrics:
    """The four k-NN metrics and per-sample realism; matches ``prdc.compute_prdc`` on float64 input.

    ``real_radii`` (N,): the real set's k-NN radii when already known (one real set, many fake sets).
    """
    if k < 1:
        raise ZspaceError(f"k={k}: the neighbourhood size must be at least 1")
    smallest = min(len(real), len(fake))
    if k >= smallest:
        raise ZspaceError(f"k={k}: needs more than k vectors in each set (the smaller has {smallest})")
    if not 0.0 < realism_percentile <= 100.0:
        raise ZspaceError(f"realism_percentile={realism_percentile}: give a percentile in (0, 100]")
    if real_radii is None:
        real_radii = kth_neighbour_radii(real, k, block_bytes)  # (N,)
    fake_radii = kth_neighbour_radii(fake, k, block_bytes)  # (M,)
    retained = real_radii <= np.percentile(real_radii, realism_percentile)  # (N,) balls used for realism

    balls_holding = np.zeros(len(fake), dtype=np.int64)  # (M,) real balls that contain fⱼ
    recalled = np.zeros(len(real), dtype=bool)  # (N,) rᵢ inside some fake ball
    covered = np.zeros(len(real), dtype=bool)  # (N,) nearest fake inside rᵢ's ball
    realism = np.zeros(len(fake))  # (M,) running max of NNDₖ(rᵢ) / ‖fⱼ − rᵢ‖
    for start, block in distance_blocks(real, fake, block_bytes):  # block: (c, M), rows are real
        radii = real_radii[start:start + len(block), None]  # (c, 1)
        balls_holding += np.count_nonzero(block < radii, axis=0)
        recalled[start:start + len(block)] = (block < fake_radii[None, :]).any(axis=1)
        covered[start:start + len(block)] = block.min(axis=1) < radii[:, 0]
        kept = retained[start:start + len(block)]
        if kept.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = radii[kept] / block[kept]  # (c', M); x / 0 = inf
            ratio[np.isnan(ratio)] = 0.0  # 0 / 0: a ball of radius 0 holds nothing under strict <
            np.maximum(realism, ratio.max(axis=0), out=realism)
    return ManifoldMetrics(
        precision=float(np.mean(balls_holding > 0)),
        recall=float(np.mean(recalled)),
        density=float(balls_holding.sum() / (k * len(fake))),
        coverage=float(np.mean(covered)),
        k=k,
        realism=realism,
    )
