"""What every judge is: a kind (what it learns from a cache) and the opened judge (a network + its record).

A judge kind says whether it applies to a cache, which targets it learns from the
cache's index, its loss and its held-out score. Training and caching are shared
(``training.py``, ``store.py``); one file per kind holds only what differs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

from zspace.data.cache import ImageCache
from zspace.evaluation.judges.network import JudgeNetwork, run_network
from zspace.progress import Progress


@dataclass(frozen=True)
class JudgeSettings:
    """How a judge is trained; all of it is recorded beside the weights and must match for reuse."""

    epochs: int = 3
    batch_size: int = 128
    learning_rate: float = 2e-3
    max_train: int = 10_000  # training images drawn (seeded) from the train split
    max_heldout: int = 2_000  # held-out images the recorded score is measured on
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class JudgeKind:
    """One kind of judge. Subclasses set ``name`` and implement the five methods (or ``trains = False``)."""

    name: ClassVar[str] = ""
    trains: ClassVar[bool] = True
    description: ClassVar[str] = ""

    def applies(self, cache: ImageCache) -> bool:
        raise NotImplementedError

    def output_names(self, cache: ImageCache) -> list[str]:
        """The name of each output of the head (its width); empty for a judge without a head."""
        raise NotImplementedError

    def targets(self, cache: ImageCache, rows: np.ndarray) -> np.ndarray:
        """(n, t) float32 training targets of ``rows``."""
        raise NotImplementedError

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def score(self, outputs: np.ndarray, targets: np.ndarray, names: list[str]) -> dict[str, Any]:
        """Held-out quality of the head, JSON-ready (accuracy, R² per factor, ...)."""
        raise NotImplementedError


@dataclass
class Judge:
    """An opened judge: its network (eval mode), the names of its outputs and the record saved with it."""

    name: str
    network: JudgeNetwork
    output_names: list[str]
    record: dict[str, Any]  # cache checksum, settings, held-out score, training time
    reused: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def feature_dim(self) -> int:
        return self.network.feature_dim

    def embed(self, images: np.ndarray, progress: Progress | None = None,
              description: str = "judge features") -> tuple[np.ndarray, np.ndarray | None]:
        """uint8 images (n, H, W, C) -> features (n, d) float32 and head outputs (n, o) or None."""
        return run_network(self.network, images, progress=progress, description=description)

    def label(self) -> str:
        """The judge as the rows name it, e.g. ``factors (zspace, R² 0.93)``."""
        quality = self.record.get("heldout_summary")
        return f"{self.name} (zspace{', ' + quality if quality else ''})"
