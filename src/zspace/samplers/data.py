"""``data``: encodings of held-out images, the reference every other sampler is judged against."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from zspace.samplers.base import Param, Sampler


class DataSampler(Sampler):
    """Draws stored encodings: without replacement while n <= N, with replacement beyond."""

    name = "data"
    params: ClassVar[dict[str, Param]] = {
        "split": Param(str, "val", "one of: val, test, train (which encodings to draw)",
                       lambda v: v in ("val", "test", "train")),
    }

    def __init__(self, split: str = "val") -> None:
        self.split = split

    @property
    def fit_split(self) -> str:  # type: ignore[override]
        return self.split

    def _fit(self, latents: np.ndarray) -> None:
        self.data_ = np.ascontiguousarray(latents, dtype=np.float32)  # (N, d)

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        count = len(self.data_)
        rows = generator.choice(count, size=num_samples, replace=num_samples > count)
        return self.data_[rows]
