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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from zspace.config import TrainConfig, load_config
from zspace.data.cache import ImageCache, open_cache
from zspace.data.index_table import read_index
from zspace.data.loader import CachedImages, image_loader, to_model_input
from zspace.errors import ZspaceError
from zspace.io import atomic_path, load_json, load_npy, save_json
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
    index: dict[str, np.ndarray]  # the cache's index columns, row-aligned with vectors

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
    model: Autoencoder, cache: ImageCache, vectors_out: np.ndarray, logvar_out: np.ndarray | None,
    batch_size: int = 256, device: str | torch.device = "cpu", progress=None,
) -> None:
    """Fill ``vectors_out`` (and ``logvar_out``) with the encodings of every cache image, in order."""
    model = model.to(device).eval()
    loader = image_loader(CachedImages(cache, np.arange(len(cache))), batch_size)
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


def encode(
    run_dir: str | os.PathLike, data: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
    batch_size: int = 256, device: str = "cpu", progress=None,
) -> LatentSet:
    """Encode the cache ``data`` (default: the one the run trained on) with the run's model."""
    run_dir = Path(run_dir)
    model = load_model(run_dir, device)
    cache = open_cache(data if data is not None else training_data(run_dir))
    config = model.config
    if (cache.image_size, cache.channels) != (config.image_size, config.channels):
        raise ZspaceError(f"{cache.path}: images are {cache.image_size}px x {cache.channels} channels; "
                          f"the model in {run_dir} takes {config.image_size}px x {config.channels}")
    out = Path(out) if out is not None else run_dir
    shape = (len(cache), config.latent_dim)
    with contextlib.ExitStack() as stack:
        vec_tmp = stack.enter_context(atomic_path(out / LATENTS_FILE))
        var_tmp = stack.enter_context(atomic_path(out / LOGVAR_FILE)) if model.variational else None
        vectors = np.lib.format.open_memmap(vec_tmp, mode="w+", dtype=np.float32, shape=shape)
        logvar = None
        if var_tmp is not None:
            logvar = np.lib.format.open_memmap(var_tmp, mode="w+", dtype=np.float32, shape=shape)
        encode_images(model, cache, vectors, logvar, batch_size, device, progress)
        for array in (vectors, logvar):
            if array is not None:
                array.flush()
        del vectors, logvar
    if not model.variational:
        (out / LOGVAR_FILE).unlink(missing_ok=True)  # a stale one from an earlier VAE run
    save_json(out / LATENTS_META_FILE, {
        "count": shape[0], "dim": shape[1], "model": config.model, "run": str(run_dir.resolve()),
        "data": str(cache.path.resolve()), "data_checksum": cache.meta.get("checksum", ""),
        "rows": "row i is row i of the cache's index.csv",
    })
    return load_latents(out)


def load_latents(folder: str | os.PathLike, mmap: bool = True) -> LatentSet:
    """Open latents.npy (+ logvar.npy) of a run folder with the index of their cache."""
    folder = Path(folder)
    vectors = load_npy(folder / LATENTS_FILE, mmap=mmap)
    logvar_path = folder / LOGVAR_FILE
    logvar = load_npy(logvar_path, mmap=mmap) if logvar_path.is_file() else None
    index: dict[str, np.ndarray] = {}
    meta_path = folder / LATENTS_META_FILE
    if meta_path.is_file():
        meta = load_json(meta_path)
        data = Path(meta.get("data", ""))
        if (data / "index.csv").is_file():
            index = read_index(data / "index.csv")
    return LatentSet(vectors, logvar, index)
