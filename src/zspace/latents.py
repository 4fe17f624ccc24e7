"""Encode a whole image cache into latent vectors (seed S6), streaming.

``encode()`` writes, into the run folder (or ``out``):

    latents.npy   float32 (N, d): the encoder's mean for each image (an AE's code)
    logvar.npy    float32 (N, d): a VAE's log-variance
    latents.json  which cache, which model, and the split of each row

Row i of latents.npy is row i of the cache (its index.csv), all splits
included. Arrays are filled batch by batch in a memmap, so memory does not grow
with N, and renamed into place when complete.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from zspace.config import TrainConfig, load_config
from zspace.data.cache import ImageCache, open_cache
from zspace.data.index_table import LazyIndex
from zspace.data.loader import CachedImages, image_loader, to_model_input
from zspace.errors import ZspaceError
from zspace.io import atomic_path, create_npy, load_json, load_npy, save_json
from zspace.models.autoencoder import Autoencoder
from zspace.training.checkpoint import TRAIN_CONFIG_FILE, load_model

LATENTS_FILE = "latents.npy"
LOGVAR_FILE = "logvar.npy"
LATENTS_META_FILE = "latents.json"


@dataclass
class LatentSet:
    """Latent vectors with the index rows of the images they came from."""

    vectors: np.ndarray  # (N, d) float32
    logvar: np.ndarray | None  # (N, d) float32 for a VAE
    index: Mapping[str, np.ndarray]  # the cache's index columns, row-aligned with vectors

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def split(self, name: str) -> np.ndarray:
        return self.vectors[self.index["split"] == name]


def training_data(run_dir: str | os.PathLike) -> str:
    """The image cache a run was trained on (from its train_config.json)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ZspaceError(f"{run_dir}: run folder not found; train one with 'zspace train'")
    return load_config(TrainConfig, run_dir / TRAIN_CONFIG_FILE).data


@torch.no_grad()
def encode_images(
    model: Autoencoder, cache: ImageCache, rows: np.ndarray, vectors_out: np.ndarray,
    logvar_out: np.ndarray | None, batch_size: int = 256, device: str | torch.device = "cpu", progress=None,
) -> None:
    """Fill ``vectors_out`` (and ``logvar_out``) with the encodings of the cache rows ``rows``, in order."""
    model = model.to(device).eval()
    loader = image_loader(CachedImages(cache, rows), batch_size)
    start = 0
    for batch in loader:
        encoded = model.encode(to_model_input(batch.to(device)))
        stop = start + len(batch)
        vectors_out[start:stop] = encoded.mean.float().cpu().numpy()
        if logvar_out is not None and encoded.logvar is not None:
            logvar_out[start:stop] = encoded.logvar.float().cpu().numpy()
        start = stop
        if progress is not None:
            progress(len(batch))


def _write_arrays(paths: list[Path], shape: tuple[int, int], fill) -> None:
    """Create float32 memmaps at ``paths`` atomically and let ``fill(*arrays)`` write them."""
    for path in paths:  # temp files of an earlier encode that was killed
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
    with contextlib.ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(path)) for path in paths]
        arrays = [create_npy(t, shape, np.float32) for t in temps]
        fill(*arrays)
        for array in arrays:
            array.flush()
        del arrays


def distributed_rank() -> tuple[int, int]:
    """(rank, world size) from torchrun's or SLURM's environment; (0, 1) when not launched so."""
    for rank_key, size_key in (("RANK", "WORLD_SIZE"), ("SLURM_PROCID", "SLURM_NTASKS")):
        if rank_key in os.environ and size_key in os.environ:
            return int(os.environ[rank_key]), int(os.environ[size_key])
    return 0, 1


def encode(
    run_dir: str | os.PathLike, data: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
    batch_size: int = 256, device: str = "cpu", progress=None, rank: int = 0, world_size: int = 1,
    merge_timeout: float = 3600.0,
) -> LatentSet | None:
    """Encode the cache ``data`` (default: the one the run trained on) with the run's model.

    With ``world_size`` > 1 (several processes or GPUs, e.g. under torchrun), each rank encodes
    a contiguous share of the rows into a part file; rank 0 waits for all parts, merges them
    into one ``latents.npy`` and returns it; the other ranks return None.
    """
    if not 0 <= rank < world_size:
        raise ZspaceError(f"rank {rank} of world size {world_size}: need 0 <= rank < world size")
    run_dir = Path(run_dir)
    model = load_model(run_dir, device)
    cache = open_cache(data if data is not None else training_data(run_dir))
    config = model.config
    if (cache.image_size, cache.channels) != (config.image_size, config.channels):
        raise ZspaceError(f"{cache.path}: images are {cache.image_size}px x {cache.channels} channels; "
                          f"the model in {run_dir} takes {config.image_size}px x {config.channels}")
    out = Path(out) if out is not None else run_dir
    names = [LATENTS_FILE, LOGVAR_FILE] if model.variational else [LATENTS_FILE]
    rows = np.array_split(np.arange(len(cache)), world_size)[rank]
    part = (lambda name: f"{Path(name).stem}.part{rank}of{world_size}.npy") if world_size > 1 else (lambda n: n)
    _write_arrays([out / part(n) for n in names], (len(rows), config.latent_dim),
                  lambda vec, var=None: encode_images(model, cache, rows, vec, var, batch_size, device, progress))
    if rank != 0:
        return None
    if world_size > 1:
        _merge_parts(out, names, world_size, (len(cache), config.latent_dim), merge_timeout)
    if not model.variational:
        (out / LOGVAR_FILE).unlink(missing_ok=True)  # a stale one from an earlier VAE run
    save_json(out / LATENTS_META_FILE, {
        "count": len(cache), "dim": config.latent_dim, "model": config.model, "run": str(run_dir.resolve()),
        "data": str(cache.path.resolve()), "data_checksum": cache.meta.get("checksum", ""),
        "rows": "row i is row i of the cache's index.csv", "world_size": world_size,
    })
    return load_latents(out)


def _merge_parts(out: Path, names: list[str], world_size: int, shape: tuple[int, int], timeout: float) -> None:
    """Rank 0: wait for every rank's part files, concatenate them in rank order, remove them."""
    parts = {n: [out / f"{Path(n).stem}.part{r}of{world_size}.npy" for r in range(world_size)] for n in names}
    deadline = time.monotonic() + timeout
    while not all(p.is_file() for files in parts.values() for p in files):
        if time.monotonic() > deadline:
            missing = [p.name for files in parts.values() for p in files if not p.is_file()]
            raise ZspaceError(f"{out}: encode parts {missing} did not appear within {timeout:.0f} s; "
                              "did every rank run?")
        time.sleep(0.2)

    def fill(*arrays: np.ndarray) -> None:
        for array, name in zip(arrays, names, strict=True):
            at = 0
            for path in parts[name]:
                block = load_npy(path, mmap=True)
                array[at : at + len(block)] = block
                at += len(block)

    _write_arrays([out / n for n in names], shape, fill)
    for files in parts.values():
        for path in files:
            path.unlink()


def load_latents(folder: str | os.PathLike, mmap: bool = True) -> LatentSet:
    """Open latents.npy (+ logvar.npy) of a run folder with the index of their cache."""
    folder = Path(folder)
    return read_latents(folder / LATENTS_FILE, folder / LOGVAR_FILE, folder / LATENTS_META_FILE, mmap)


def read_latents(vectors_path: Path, logvar_path: Path, meta_path: Path, mmap: bool = True) -> LatentSet:
    """Open the latent vectors (+ log-variances when the file exists) with the index their metadata names."""
    vectors = load_npy(vectors_path, mmap=mmap)
    logvar = load_npy(logvar_path, mmap=mmap) if logvar_path.is_file() else None
    index: Mapping[str, np.ndarray] = {}
    if meta_path.is_file():
        meta = load_json(meta_path)
        data = Path(meta.get("data", ""))
        if (data / "index.csv").is_file():
            index = LazyIndex(data / "index.csv")  # read when first used
    return LatentSet(vectors, logvar, index)
