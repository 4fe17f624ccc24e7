"""The factor judge of the synthetic faces: a network that predicts each face's known factors.

The synthetic faces are drawn from 12 continuous factors in [0, 1] and a 0/1
``glasses`` (``zspace.data.synthetic_faces``); the index holds them all. The
judge regresses the continuous factors (mean squared error) and classifies
glasses (binary cross-entropy on one logit); it is scored by the held-out R² of
each factor and the glasses accuracy. Its features (the penultimate layer) are
the space of FD and precision/recall, and its predictions give what no other
judge can: the distribution of every factor among the samples against the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.nn import functional

from zspace.data.cache import ImageCache
from zspace.data.synthetic_faces import FACTOR_NAMES
from zspace.evaluation.judges.base import JudgeKind

GLASSES = "glasses"


def predicted_factors(outputs: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    """Head outputs (n, 13) -> factor name -> (n,) values; glasses as a probability (sigmoid of its logit)."""
    factors = {name: outputs[:, i].astype(np.float64) for i, name in enumerate(names)}
    if GLASSES in factors:
        factors[GLASSES] = 1.0 / (1.0 + np.exp(-factors[GLASSES]))
    return factors


class FactorJudge(JudgeKind):
    name = "factors"
    description = "predictor of the synthetic faces' factors"

    def applies(self, cache: ImageCache) -> bool:
        return all(name in cache.index for name in (*FACTOR_NAMES, GLASSES))

    def output_names(self, cache: ImageCache) -> list[str]:
        return [*FACTOR_NAMES, GLASSES]

    def targets(self, cache: ImageCache, rows: np.ndarray) -> np.ndarray:
        return np.stack([np.asarray(cache.index[name], dtype=np.float32)[rows]
                         for name in (*FACTOR_NAMES, GLASSES)], axis=1)  # (n, 13)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        continuous = functional.mse_loss(outputs[:, :-1], targets[:, :-1])
        # The factors are uniform on [0, 1] (variance 1/12): weigh the regression up to the glasses term.
        return 12.0 * continuous + functional.binary_cross_entropy_with_logits(outputs[:, -1], targets[:, -1])

    def score(self, outputs: np.ndarray, targets: np.ndarray, names: list[str]) -> dict[str, Any]:
        residual = ((outputs[:, :-1] - targets[:, :-1]) ** 2).sum(axis=0)
        spread = ((targets[:, :-1] - targets[:, :-1].mean(axis=0)) ** 2).sum(axis=0)
        r2 = 1.0 - residual / np.maximum(spread, 1e-12)
        glasses = float(np.mean((outputs[:, -1] > 0) == (targets[:, -1] > 0.5)))
        mean_r2 = float(np.mean(r2))
        return {"r2": {name: float(value) for name, value in zip(names[:-1], r2, strict=True)},
                "r2_mean": mean_r2, "glasses_accuracy": glasses,
                "summary": f"held-out mean R² {mean_r2:.2f}, glasses accuracy {glasses:.2f}"}
