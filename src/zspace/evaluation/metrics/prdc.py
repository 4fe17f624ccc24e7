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

Which k. Kynkäänniemi et al. 2019 define precision, recall and the realism
score with k = 3 (the k of their experiments; their code's ``nhood_sizes=[3]``); Naeem et al.
2020 define density and coverage with k = 5 and their ``prdc`` package uses its
one ``nearest_k`` (5) for all four. Here each pair takes its own paper's k:
``precision_recall_k`` (precision, recall, realism) and ``k`` (density,
coverage). ``precision_recall_k=None`` uses ``k`` for all four, as ``prdc`` does.

All of it comes from one pass over real-vs-fake distance blocks
(``distances.py``); no N x M matrix is held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.errors import ZspaceError
from zspace.evaluation.metrics.distances import BLOCK_BYTES, distance_blocks, neighbour_radii


@dataclass(frozen=True)
class ManifoldMetrics:
    precision: float
    recall: float
    density: float
    coverage: float
    k: int  # of density and coverage
    realism: np.ndarray  # (M,) realism score of each fake vector
    precision_recall_k: int  # of precision, recall and the realism score


def precision_recall_density_coverage(
    real: np.ndarray, fake: np.ndarray, k: int = 5, realism_percentile: float = 50.0,
    block_bytes: int = BLOCK_BYTES, real_radii: dict[int, np.ndarray] | None = None,
    precision_recall_k: int | None = None,
) -> ManifoldMetrics:
    """The four k-NN metrics and per-sample realism; matches ``prdc.compute_prdc`` on float64 input.

    ``k``: density and coverage; ``precision_recall_k``: precision, recall and realism (None: ``k``, as ``prdc``).
    ``real_radii`` {k: (N,)}: the real set's k-NN radii when already known (one real set, many fake sets).
    """
    pr_k = k if precision_recall_k is None else precision_recall_k
    smallest = min(len(real), len(fake))
    for value, what in ((k, "k"), (pr_k, "precision_recall_k")):
        if value < 1:
            raise ZspaceError(f"{what}={value}: the neighbourhood size must be at least 1", options=(what,))
        if value >= smallest:
            raise ZspaceError(f"{what}={value}: needs more than k vectors in each set (the smaller has {smallest})",
                              options=(what,))
    if not 0.0 < realism_percentile <= 100.0:
        raise ZspaceError(f"realism_percentile={realism_percentile}: give a percentile in (0, 100]")
    real_radii = dict(real_radii or {})
    missing = tuple(key for key in (k, pr_k) if key not in real_radii)
    if missing:
        real_radii.update(neighbour_radii(real, missing, block_bytes))
    ball_radii, pr_radii = real_radii[k], real_radii[pr_k]  # (N,) each
    fake_radii = neighbour_radii(fake, (pr_k,), block_bytes)[pr_k]  # (M,)
    retained = pr_radii <= np.percentile(pr_radii, realism_percentile)  # (N,) balls used for realism

    balls_holding = np.zeros(len(fake), dtype=np.int64)  # (M,) real k-balls that contain fⱼ (density)
    precise = np.zeros(len(fake), dtype=bool)  # (M,) fⱼ inside some real precision_recall_k-ball
    recalled = np.zeros(len(real), dtype=bool)  # (N,) rᵢ inside some fake ball
    covered = np.zeros(len(real), dtype=bool)  # (N,) nearest fake inside rᵢ's ball
    realism = np.zeros(len(fake))  # (M,) running max of NNDₖ(rᵢ) / ‖fⱼ − rᵢ‖
    for start, block in distance_blocks(real, fake, block_bytes):  # block: (c, M), rows are real
        rows = slice(start, start + len(block))
        radii = ball_radii[rows, None]  # (c, 1)
        balls_holding += np.count_nonzero(block < radii, axis=0)
        precise |= (block < pr_radii[rows, None]).any(axis=0)
        recalled[rows] = (block < fake_radii[None, :]).any(axis=1)
        covered[rows] = block.min(axis=1) < radii[:, 0]
        kept = retained[rows]
        if kept.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = pr_radii[rows, None][kept] / block[kept]  # (c', M); x / 0 = inf
            ratio[np.isnan(ratio)] = 0.0  # 0 / 0: a ball of radius 0 holds nothing under strict <
            np.maximum(realism, ratio.max(axis=0), out=realism)
    return ManifoldMetrics(
        precision=float(np.mean(precise)),
        recall=float(np.mean(recalled)),
        density=float(balls_holding.sum() / (k * len(fake))),
        coverage=float(np.mean(covered)),
        k=k,
        realism=realism,
        precision_recall_k=pr_k,
    )
