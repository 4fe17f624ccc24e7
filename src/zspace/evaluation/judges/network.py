"""The judge network: a small convolutional net whose penultimate layer gives the features.

Images larger than ``MAX_INPUT`` (32 px) are first averaged down to 32 px:
a judge of sample quality at this scale needs the shapes and colours, and the
first convolution at 64 px would cost four times as much. Then four stride-2 3x3
convolutions (batch norm, ReLU) and a global average pool, as Inception-v3's
pool3 features are a global average of its last convolutions (Szegedy et al.
2016), then one linear head for what the judge predicts. The pooled vector
(``FEATURE_DIM`` = 128) is the feature space of FD, KID and precision/recall.
About 2.3 M multiply-adds per image: 10,000 images in a few seconds on 2 cores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from zspace.data.loader import to_model_input
from zspace.progress import Progress, step

FILTERS = (32, 64, 64, 128)
MAX_INPUT = 32  # pixels; larger images are average-pooled down to this
FEATURE_DIM = FILTERS[-1]


@dataclass(frozen=True)
class NetworkShape:
    """All that rebuilds a judge network before its weights are loaded."""

    channels: int
    outputs: int  # size of the head; 0 = no head (the random encoder)
    filters: tuple[int, ...] = FILTERS


class JudgeNetwork(nn.Module):
    """images (n, C, H, W) in [0, 1] -> features (n, filters[-1]) and head outputs (n, outputs)."""

    def __init__(self, shape: NetworkShape) -> None:
        super().__init__()
        self.shape = shape
        layers: list[nn.Module] = []
        channels = shape.channels
        for width in shape.filters:
            layers += [nn.Conv2d(channels, width, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(width),
                       nn.ReLU(inplace=True)]
            channels = width
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(channels, shape.outputs) if shape.outputs else None

    @property
    def feature_dim(self) -> int:
        return self.shape.filters[-1]

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if images.shape[-1] > MAX_INPUT or images.shape[-2] > MAX_INPUT:
            images = functional.adaptive_avg_pool2d(images, MAX_INPUT)
        features = self.body(images)  # (n, feature_dim): the penultimate layer
        return features, (self.head(features) if self.head is not None else None)


@torch.no_grad()
def run_network(
    network: JudgeNetwork, images: np.ndarray, batch_size: int = 500, progress: Progress | None = None,
    description: str = "judge features",
) -> tuple[np.ndarray, np.ndarray | None]:
    """uint8 images (n, H, W, C) -> float32 features (n, d) and head outputs (n, o) or None, in batches."""
    network.eval()
    features = np.empty((len(images), network.feature_dim), dtype=np.float32)
    outputs = np.empty((len(images), network.shape.outputs), dtype=np.float32) if network.head is not None else None
    with step(progress, len(images), "img", description) as advance:
        for start in range(0, len(images), batch_size):
            batch = torch.from_numpy(np.array(images[start:start + batch_size]))  # a writable copy of a memmap slice
            feature, output = network(to_model_input(batch))
            features[start:start + len(batch)] = feature.numpy()
            if outputs is not None and output is not None:
                outputs[start:start + len(batch)] = output.numpy()
            advance(len(batch))
    return features, outputs
