"""Batches of cached images for PyTorch: uint8 memmap in, uint8 NHWC tensors out.

Images stay uint8 until they reach the model's device (4x less to copy); the
training module turns them into float NCHW in [0, 1]. Batches are fetched with
one fancy-indexing read per batch (``__getitems__``), not one call per image.
The shuffling order of each epoch is a pure function of (seed, epoch), so an
interrupted run that resumes at an epoch boundary sees the very same batches.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from zspace.data.cache import ImageCache


class CachedImages(Dataset):
    """The rows ``rows`` of an image cache."""

    def __init__(self, cache: ImageCache, rows: np.ndarray) -> None:
        self.images = cache.images
        self.rows = np.asarray(rows, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> torch.Tensor:
        return torch.from_numpy(np.array(self.images[self.rows[i]]))

    def __getitems__(self, indices: list[int]) -> torch.Tensor:
        rows = self.rows[np.asarray(indices)]
        order = np.argsort(rows, kind="stable")  # read the memmap front to back
        batch = np.empty((len(rows), *self.images.shape[1:]), dtype=np.uint8)
        batch[order] = self.images[rows[order]]
        return torch.from_numpy(batch)


def _identity(batch: torch.Tensor) -> torch.Tensor:
    return batch


class EpochShuffle(Sampler[int]):
    """A permutation per epoch from (seed, epoch), sharded across ``world_size`` ranks.

    Each rank takes every world_size-th index of the same permutation (padded by
    wrapping, as torch's DistributedSampler does), so the ranks together see one
    global batch order. ``set_epoch`` is called by Lightning before each epoch.
    """

    def __init__(self, size: int, seed: int, rank: int = 0, world_size: int = 1, epoch_offset: int = 0) -> None:
        self.size, self.seed = size, seed
        self.rank, self.world_size = rank, world_size
        self.epoch_offset = epoch_offset
        self.epoch = 0
        self.per_rank = -(-size // world_size)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.per_rank

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng([self.seed, self.epoch_offset + self.epoch])
        order = rng.permutation(self.size)
        padded = np.resize(order, self.per_rank * self.world_size)
        return iter(padded[self.rank :: self.world_size].tolist())


def image_loader(
    dataset: CachedImages, batch_size: int, sampler: Sampler[int] | None = None,
    num_workers: int = 0, pin_memory: bool = False, drop_last: bool = False,
) -> DataLoader:
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        shuffle=False,
        num_workers=num_workers,
        pin_memory=pin_memory,
        drop_last=drop_last,
        collate_fn=_identity,
        persistent_workers=num_workers > 0,
    )


def to_model_input(batch: torch.Tensor) -> torch.Tensor:
    """uint8 (N, H, W, C) -> float (N, C, H, W) in [0, 1]."""
    return batch.permute(0, 3, 1, 2).float().div_(255.0)
