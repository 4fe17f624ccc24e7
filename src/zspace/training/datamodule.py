"""The one place that owns the train/val split and batching of an image cache."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import lightning as L
from torch.utils.data import DataLoader, Sampler

from zspace.data.cache import ImageCache
from zspace.data.loader import CachedImages, EpochShuffle, image_loader
from zspace.errors import ZspaceError


class SkipFirst(Sampler[int]):
    """``sampler`` without its first ``skip`` indices: the batches a resumed epoch already did."""

    def __init__(self, sampler: EpochShuffle, skip: int) -> None:
        self.sampler, self.skip = sampler, skip

    def set_epoch(self, epoch: int) -> None:
        self.sampler.set_epoch(epoch)

    def __len__(self) -> int:
        return max(len(self.sampler) - self.skip, 0)

    def __iter__(self) -> Iterator[int]:
        return itertools.islice(iter(self.sampler), self.skip, None)


class CacheDataModule(L.LightningDataModule):
    """Train on the cache's "train" rows, validate on its "val" rows.

    ``batch_size`` is the global batch: with N devices each takes batch_size / N,
    so one GPU and eight GPUs follow the same optimisation recipe. ``skip_batches``
    global batches of the first epoch are left out (a run resumed mid-epoch); since
    each rank takes every N-th index of one permutation, global batch b holds the same
    images whatever the number of devices.
    """

    def __init__(self, cache: ImageCache, batch_size: int, seed: int, epoch_offset: int = 0,
                 num_workers: int = 0, pin_memory: bool = False, skip_batches: int = 0) -> None:
        super().__init__()
        self.cache = cache
        self.batch_size = batch_size
        self.seed = seed
        self.epoch_offset = epoch_offset
        self.skip_batches = skip_batches  # the trainer must reload the loaders each epoch when > 0
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.train_rows = cache.rows("train")
        self.val_rows = cache.rows("val")
        if len(self.train_rows) == 0:
            raise ZspaceError(f"{cache.path}: the cache has no 'train' rows; re-run 'zspace prepare'")

    def _per_device_batch(self) -> int:
        world = self.trainer.world_size if self.trainer else 1
        if self.batch_size % world:
            raise ZspaceError(f"batch size {self.batch_size}: must be divisible by the {world} devices",
                              options="batch_size")
        return self.batch_size // world

    def _rank(self) -> tuple[int, int]:
        return (self.trainer.global_rank, self.trainer.world_size) if self.trainer else (0, 1)

    def train_dataloader(self) -> DataLoader:
        rank, world = self._rank()
        per_device = self._per_device_batch()
        sampler = EpochShuffle(len(self.train_rows), self.seed, rank, world, self.epoch_offset)
        first_epoch = self.trainer is None or self.trainer.current_epoch == 0
        if self.skip_batches and first_epoch:
            sampler = SkipFirst(sampler, self.skip_batches * per_device)
        return image_loader(CachedImages(self.cache, self.train_rows), per_device, sampler,
                            self.num_workers, self.pin_memory)

    def val_dataloader(self) -> DataLoader | list:
        if len(self.val_rows) == 0:
            return []
        rank, world = self._rank()
        rows = self.val_rows[rank::world]
        return image_loader(CachedImages(self.cache, rows), self._per_device_batch(), None,
                            self.num_workers, self.pin_memory)
