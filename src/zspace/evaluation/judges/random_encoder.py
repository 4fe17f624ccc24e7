"""The label-free fallback: a randomly initialised encoder (Naeem et al. 2020, sec. 5).

Naeem et al. ("Reliable fidelity and diversity metrics for generative models",
2020) show that the embeddings of a randomly initialised network rank
generative models sensibly where no trained feature extractor fits the data.
Here: the judge network with seeded random weights and no head. Its batch-norm
statistics are estimated on the cache's training images (a forward pass in
training mode, no gradient), so each layer's activations are on the data's
scale; nothing else is learned. The weights are stored like a trained judge's,
so the features do not change with the torch version's initialiser.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from zspace.data.cache import ImageCache
from zspace.data.loader import to_model_input
from zspace.evaluation.judges.base import JudgeKind, JudgeSettings
from zspace.evaluation.judges.network import JudgeNetwork
from zspace.evaluation.judges.training import split_rows


class RandomJudge(JudgeKind):
    name = "random"
    trains = False
    description = "randomly initialised encoder (no labels needed)"

    def applies(self, cache: ImageCache) -> bool:
        return True

    def output_names(self, cache: ImageCache) -> list[str]:
        return []


@torch.no_grad()
def calibrate(network: JudgeNetwork, cache: ImageCache, settings: JudgeSettings) -> dict[str, Any]:
    """Batch-norm running statistics from up to ``max_train`` training images (cumulative average)."""
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # cumulative moving average over all batches
    rows = split_rows(cache, "train", settings.max_train, settings.seed)
    network.train()
    for start in range(0, len(rows), 500):
        network(to_model_input(torch.from_numpy(np.asarray(cache.images[rows[start:start + 500]]))))
    network.eval()
    return {"train_rows": int(len(rows)), "heldout": None,
            "heldout_summary": "random weights, batch-norm statistics from the data"}
