"""The label judge: a classifier of the cache's labels (Fashion-MNIST) or 0/1 attributes (CelebA's 40).

Features of a network trained to tell the data's own classes apart are what
FID's Inception features are for ImageNet (Heusel et al. 2017): directions that
matter for the content. One class per image (an integer ``label`` column) is
learned with cross-entropy and scored by held-out accuracy; CelebA's attributes
(multi-label, ``dataset.json`` lists them) with a binary cross-entropy per
attribute, unknown values (-1) left out, scored by the mean held-out accuracy
over attributes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.nn import functional

from zspace.data.cache import ImageCache
from zspace.evaluation.judges.base import JudgeKind

LABEL = "label"


def attribute_names(cache: ImageCache) -> list[str]:
    """The 0/1 attribute columns dataset.json lists (CelebA), that the index holds."""
    names = (cache.meta.get("details") or {}).get("attributes") or []
    return [name for name in names if name in cache.index]


def has_labels(cache: ImageCache) -> bool:
    return LABEL in cache.index and np.issubdtype(np.asarray(cache.index[LABEL]).dtype, np.integer)


class ClassifierJudge(JudgeKind):
    name = "classifier"
    description = "classifier of the cache's labels or attributes"

    def applies(self, cache: ImageCache) -> bool:
        return has_labels(cache) or bool(attribute_names(cache))

    def multi_label(self, cache: ImageCache) -> bool:
        return not has_labels(cache)

    def output_names(self, cache: ImageCache) -> list[str]:
        if self.multi_label(cache):
            return attribute_names(cache)
        classes = (cache.meta.get("details") or {}).get("class_names")
        count = int(np.max(cache.index[LABEL])) + 1
        return list(classes) if classes and len(classes) >= count else [str(i) for i in range(count)]

    def targets(self, cache: ImageCache, rows: np.ndarray) -> np.ndarray:
        if self.multi_label(cache):  # (n, attributes) in {0, 1, -1 unknown}
            return np.stack([np.asarray(cache.index[a])[rows] for a in attribute_names(cache)], axis=1
                            ).astype(np.float32)
        return np.asarray(cache.index[LABEL])[rows].astype(np.float32)[:, None]  # (n, 1) class numbers

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if targets.shape[1] == 1 and outputs.shape[1] > 1:
            return functional.cross_entropy(outputs, targets[:, 0].long())
        known = targets >= 0
        return functional.binary_cross_entropy_with_logits(outputs[known], targets[known])

    def score(self, outputs: np.ndarray, targets: np.ndarray, names: list[str]) -> dict[str, Any]:
        if targets.shape[1] == 1 and outputs.shape[1] > 1:
            accuracy = float(np.mean(outputs.argmax(axis=1) == targets[:, 0].astype(np.int64)))
            return {"accuracy": accuracy, "summary": f"held-out accuracy {accuracy:.3f}"}
        known = targets >= 0
        correct = (outputs > 0) == (targets > 0.5)
        per_attribute = {name: float(correct[known[:, i], i].mean()) if known[:, i].any() else None
                         for i, name in enumerate(names)}
        values = [v for v in per_attribute.values() if v is not None]
        accuracy = float(np.mean(values)) if values else float("nan")
        return {"accuracy": accuracy, "per_attribute": per_attribute,
                "summary": f"mean held-out attribute accuracy {accuracy:.3f}"}
