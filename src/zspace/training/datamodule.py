"""The one place that owns the train/val split and batching of an image cache."""

from __future__ import annotations

import lightning as L
from torch.utils.data import DataLoader

from zspace.data.cache import ImageCache
from zspace.data.loader import CachedImages, EpochShuffle, image_loader
from zspace.errors import ZspaceError


class CacheDataModule(L.LightningDataModule):
    """Train on the cache's "train" rows, validate on its "val" rows.

    ``batch_size`` is the global batch: with N devices each takes batch_size / N,
    so one GPU and eight GPUs follow the same optimisation recipe.
    """

    def __init__(self, cache: ImageCache, batch_size: int, seed: int, epoch_offset: int = 0,
                 num_workers: int = 0, pin_memory: bool = False) -> None:
        super().__init__()
        self.cache = cache
        self.batch_size = batch_size
        self.seed = seed
        self.epoch_offset = epoch_offset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.train_rows = cache.rows("train")
        self.val_rows = cache.rows("val")
        if len(self.train_rows) == 0:
            raise ZspaceError(f"{cache.path}: the cache has no 'train' rows; re-run 'zspace prepare'")

    def _per_device_batch(self) -> int:
        world = self.trainer.world_size if self.trainer else 1
        if self.batch_size % world:
            raise ZspaceError(f"--batch-size {self.batch_size}: must be divisible by the {world} devices")
        return self.batch_size // world

    def _rank(self) -> tuple[int, int]:
        return (self.trainer.global_rank, self.trainer.world_size) if self.trainer else (0, 1)

    def train_dataloader(self) -> DataLoader:
        rank, world = self._rank()
        sampler = EpochShuffle(len(self.train_rows), self.seed, rank, world, self.epoch_offset)
        return image_loader(CachedImages(self.cache, self.train_rows), self._per_device_batch(), sampler,
                            self.num_workers, self.pin_memory)

    def val_dataloader(self) -> DataLoader | list:
        if len(self.val_rows) == 0:
            return []
        rank, world = self._rank()
        rows = self.val_rows[rank::world]
        return image_loader(CachedImages(self.cache, rows), self._per_device_batch(), None,
                            self.num_workers, self.pin_memory)
